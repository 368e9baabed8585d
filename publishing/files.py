"""An edition's stored files: writing the rendered ones, the bytes publication makes public
(the approved bytes, read back and checked; the PDF sealed), and removing what a failed step
wrote.

The steps (publishing.services) call these inside their transaction and under the sanction of
their step (lifecycle.sanctioned): a row changes only with its step. Storage is not
transactional, so each function that writes files removes them again when it fails, and the
steps remove what they wrote when their transaction rolls back.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from .exceptions import InvalidEdition
from .integrity import FileUnavailable, verified_content
from .models import Edition, EditionFile, edition_file_path

# The bytes publication makes public for one approved file, and the columns of its row that
# change with them.
Published = tuple[bytes, dict[str, Any]]


def store_rendered(
    edition: Edition, rendered: dict[str, bytes], *, source: str
) -> list[EditionFile]:
    """Write the rendered files and their rows; remove what was written if anything fails."""
    formats = set(EditionFile.Format.values)
    if not rendered or set(rendered) - formats:
        raise InvalidEdition(gettext("產生的公告檔案格式不正確。"))
    written: list[EditionFile] = []
    try:
        for fmt, data in rendered.items():
            row = EditionFile(
                edition=edition,
                format=fmt,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                content_type=EditionFile.CONTENT_TYPES[fmt],
                source_sha256=source,
            )
            row.file.save(edition.file_name(fmt), ContentFile(data), save=False)
            written.append(row)
            row.save()
    except BaseException:
        delete_stored(written)
        raise
    return written


def published_bytes(file: EditionFile) -> Published:
    """The bytes publication makes public for one approved file: THE place where the approved
    bytes become the published ones.

    They are the approved bytes, read back and checked against the SHA-256 the approver saw;
    the PDF then gets the seal (an incremental PAdES signature): the signed file starts with
    the approved bytes, and its own size and SHA-256 become the file's.
    """
    try:
        approved = verified_content(file)
    except FileUnavailable as error:
        raise InvalidEdition(
            gettext("公告檔案 {name} 與核定時不符（{error}），不能公告。").format(
                name=file.filename, error=error
            )
        ) from error
    if file.format == EditionFile.Format.PDF:
        return seal(approved)
    return approved, {}


def replace_with_published(
    edition: Edition, files: list[EditionFile], published: dict[int, Published]
) -> list[EditionFile]:
    """Store the bytes of each file whose published bytes differ from the approved ones.

    The approved file they replace (the unsealed PDF) leaves storage once the publication
    commits: nothing points to it any more, and it is not lost: the sealed file starts with its
    bytes, and the row keeps its size and SHA-256 (unsigned_size, unsigned_sha256)."""
    written: list[EditionFile] = []
    for file in files:
        data, columns = published[file.pk]
        sha = hashlib.sha256(data).hexdigest()
        if sha == file.sha256:
            continue
        approved = file.file.name
        file.file.save(edition.file_name(file.format), ContentFile(data), save=False)
        transaction.on_commit(partial(file.file.storage.delete, approved), robust=True)
        written.append(file)
        file.size, file.sha256 = len(data), sha
        for column, value in columns.items():
            setattr(file, column, value)
        file.save()
    return written


def seal(unsigned: bytes) -> Published:
    """The approved PDF signed, and the seal columns of its row, when a seal is configured
    (rendering/seal.py); the PDF as it is otherwise. The row keeps the approved (unsigned)
    file's size and SHA-256 beside the signed file's: the signed file starts with those bytes."""
    from .rendering import seal as pades  # pyHanko: loaded by the processes that seal

    if not pades.seal_configured():
        return unsigned, {}
    signed = pades.seal_pdf(unsigned)
    info = pades.read_seal(signed)
    if not info.holds or info.unsigned_size != len(unsigned):
        raise InvalidEdition(gettext("PDF 電子簽章無法驗證，未公告。"))
    columns = {
        "signed_by": info.signer,
        "signed_at": info.signed_at,
        "signer_certificate_sha256": info.certificate_sha256,
        "unsigned_sha256": hashlib.sha256(unsigned).hexdigest(),
        "unsigned_size": len(unsigned),
    }
    return signed, columns


def delete_stored(rows: list[EditionFile]) -> None:
    """Remove the stored files of rows whose writes a failed or finished step takes back."""
    for row in rows:
        row.file.storage.delete(row.file.name)


def delete_unreferenced(edition: Edition) -> list[str]:
    """Remove the files in the edition's folder that no row names: what a step killed midway
    (its transaction rolled back with its connection) had written. Run before its retry, while
    the edition is still where the step found it."""
    folder = edition_file_path(EditionFile(edition=edition), "").rstrip("/")
    storage = EditionFile._meta.get_field("file").storage
    try:
        stored = storage.listdir(folder)[1]  # S3 lists a prefix, which exists() may not see
    except FileNotFoundError:
        return []
    kept = set(edition.files.values_list("file", flat=True))
    names = [f"{folder}/{name}" for name in stored]
    orphans = [name for name in names if name not in kept]
    for name in orphans:
        storage.delete(name)
    return orphans
