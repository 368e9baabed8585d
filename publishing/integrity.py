"""Checking that what is stored is what was published: files, snapshots and the chain.

Two readers share these checks. `verified_content(file)` is what the public download sends: the
stored bytes only when their size and SHA-256 are those recorded at publication, otherwise
FileUnavailable (the view answers 503 and logs it), so nobody ever receives altered bytes under
the edition's name. `verify_editions(...)` is `manage.py edition verify`: every public
edition's snapshot hash, its link to the previous edition, and every stored file.

Each download reads the whole file (edition files are a few megabytes at most) and checks its
size; hashing it too on every download would double the cost, so a file on the local file
system is hashed once per process and remembered by what `stat` says of it (size, modification
and change times, inode): any write to it — even one that puts the old modification time back —
changes its change time, and the next download hashes it again. Files in a bucket have no such
`stat` and are hashed on every download.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext

from .models import Edition, EditionFile
from .snapshot import snapshot_sha256

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
# How many verified files a process remembers (a few per edition; least recently used goes).
VERIFIED_CACHE_SIZE = 256


class FileUnavailable(Exception):
    """The stored file is missing or differs from what was published."""


# Downloads


_verified: OrderedDict[tuple[str, int, int, int, int], str] = OrderedDict()
_verified_lock = threading.Lock()


def _stat_key(path: str, handle: IO[bytes]) -> tuple[str, int, int, int, int]:
    # fstat of the open handle: the key describes the very file that will be sent.
    info = os.fstat(handle.fileno())
    return (path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _remembered(key: tuple[str, int, int, int, int], sha256: str) -> bool:
    with _verified_lock:
        if _verified.get(key) != sha256:
            return False
        _verified.move_to_end(key)
        return True


def _remember(key: tuple[str, int, int, int, int], sha256: str) -> None:
    with _verified_lock:
        _verified[key] = sha256
        while len(_verified) > VERIFIED_CACHE_SIZE:
            _verified.popitem(last=False)


def hash_stream(handle: IO[bytes]) -> tuple[int, str]:
    """(size, SHA-256) of everything left in handle."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _local_path(file: EditionFile) -> str | None:
    try:
        return file.file.storage.path(file.file.name)
    except NotImplementedError:  # a bucket: no local path
        return None


def _read(file: EditionFile, path: str | None) -> tuple[Any, bytes, Any]:
    """(stat before, the bytes, stat after) of the stored file; no stat for a bucket."""
    if path is None:
        with file.file.storage.open(file.file.name, "rb") as handle:
            return None, handle.read(), None
    with open(path, "rb") as handle:
        before = _stat_key(path, handle)
        data = handle.read()
        return before, data, _stat_key(path, handle)


def verified_content(file: EditionFile) -> bytes:
    """The stored file's bytes, if they are byte for byte what was published.

    Raises FileUnavailable (and logs why) when the file is missing, of another size or of
    another hash. The whole file is read before anything is sent, so the response always
    carries exactly the bytes that were checked, with their true length: a file truncated or
    rewritten while it is read is refused or hashed again, never sent half.
    """
    path = _local_path(file)
    try:
        before, data, after = _read(file, path)
    except FileNotFoundError as error:
        _refuse(file, gettext("檔案不存在（{error}）").format(error=error))
    except Exception as error:  # a failing disk or bucket is a 503 too, never a 500
        _refuse(file, gettext("無法讀取檔案（{error}）").format(error=error))
    if len(data) != file.size:
        _refuse(file, _size_problem(file, len(data)))
    if before is not None and before == after and _remembered(before, file.sha256):
        return data
    sha = hashlib.sha256(data).hexdigest()
    if sha != file.sha256:
        _refuse(file, _hash_problem(file, sha))
    if before is not None and before == after:
        _remember(before, file.sha256)
    return data


def _refuse(file: EditionFile, problem: str) -> None:
    logger.error(
        "edition file refused: edition=%s format=%s name=%s: %s",
        file.edition_id,
        file.format,
        file.file.name,
        problem,
    )
    raise FileUnavailable(problem)


def _size_problem(file: EditionFile, size: int) -> str:
    return gettext("大小為 {size} 位元組，公告時為 {expected} 位元組").format(
        size=size, expected=file.size
    )


def _hash_problem(file: EditionFile, sha: str) -> str:
    return gettext("SHA-256 為 {sha}，公告時為 {expected}").format(sha=sha, expected=file.sha256)


# manage.py edition verify


@dataclass(frozen=True)
class Problem:
    edition: Edition
    text: str

    def __str__(self) -> str:
        return f"{self.edition.pk}\t{self.edition.roc_date}\t{self.text}"


def check_file(file: EditionFile) -> str | None:
    """Why the stored file differs from what was published, or None when it is intact."""
    try:
        with file.file.storage.open(file.file.name, "rb") as handle:
            size, sha = hash_stream(handle)
    except FileNotFoundError as error:
        return gettext("檔案不存在（{error}）").format(error=error)
    except Exception as error:  # reported like any other mismatch; the next file is checked
        return gettext("無法讀取檔案（{error}）").format(error=error)
    if size != file.size:
        return _size_problem(file, size)
    if sha != file.sha256:
        return _hash_problem(file, sha)
    return None


def check_edition(edition: Edition) -> Iterator[str]:
    """Every way one public edition differs from what was published (nothing when intact)."""
    recomputed = snapshot_sha256(edition.snapshot)
    if recomputed != edition.snapshot_sha256:
        yield gettext("內容 SHA-256 為 {sha}，紀錄為 {expected}").format(
            sha=recomputed, expected=edition.snapshot_sha256
        )
    previous = edition.previous
    if previous is None and edition.previous_sha256:
        yield gettext("紀錄了前一版本的 SHA-256，卻沒有前一版本")
    if previous is not None and edition.previous_sha256 != previous.snapshot_sha256:
        yield gettext("前一版本 SHA-256 為 {sha}，但 {date} 版本的內容 SHA-256 為 {actual}").format(
            sha=edition.previous_sha256 or "-",
            date=previous.roc_date,
            actual=previous.snapshot_sha256,
        )
    if previous is not None and not previous.is_public:
        yield gettext("前一版本 {date} 不是公告版本").format(date=previous.roc_date)
    files = list(edition.files.all())
    missing = set(EditionFile.Format.values) - EditionFile.LATER_FORMATS - {f.format for f in files}
    if missing:
        yield gettext("缺少檔案：{formats}").format(formats="、".join(sorted(missing)))
    for file in files:
        problem = check_file(file)
        if problem:
            yield f"{file.format}（{file.file.name}）：{problem}"
        for problem in check_seal(file):
            yield f"{file.format}（{file.file.name}）：{problem}"


def check_seal(file: EditionFile) -> Iterator[str]:
    """Every way a sealed PDF's signature differs from what was published (nothing when it
    holds): the signature verifies, covers the whole file with nothing appended after it,
    was made with the certificate recorded, and the bytes before it are the approved file."""
    from .rendering.seal import read_seal

    if not file.is_sealed:
        return
    try:
        with file.file.storage.open(file.file.name, "rb") as handle:
            data = handle.read()
        seal = read_seal(data)
    except FileNotFoundError:
        return  # check_file reported it
    except Exception as error:  # an unreadable signature is reported, never a crash
        yield gettext("無法讀取電子簽章（{error}）").format(error=error)
        return
    if not (seal.intact and seal.valid):
        yield gettext("電子簽章無效：簽章後檔案已被更動")
    if not seal.whole_file:
        yield gettext("電子簽章未涵蓋整個檔案：簽章後另有附加內容")
    if seal.certificate_sha256 != file.signer_certificate_sha256:
        yield gettext("簽章憑證 SHA-256 為 {sha}，公告時為 {expected}（簽章者：{signer}）").format(
            sha=seal.certificate_sha256, expected=file.signer_certificate_sha256, signer=seal.signer
        )
    prefix = hashlib.sha256(data[: file.unsigned_size]).hexdigest()
    if seal.unsigned_size != file.unsigned_size or prefix != file.unsigned_sha256:
        yield gettext(
            "簽章前的檔案（前 {size} 位元組）SHA-256 為 {sha}，核定時為 {expected}"
        ).format(size=file.unsigned_size, sha=prefix, expected=file.unsigned_sha256)


def chain_of(edition: Edition) -> list[Edition]:
    """The edition and every edition before it, following `previous` to the first."""
    chain, seen = [edition], {edition.pk}
    while chain[-1].previous_id is not None and chain[-1].previous_id not in seen:
        previous = Edition.objects.select_related("bulletin", "previous").get(
            pk=chain[-1].previous_id
        )
        chain.append(previous)
        seen.add(previous.pk)
    return chain


def verify_editions(editions: Iterable[Edition]) -> Iterator[tuple[Edition, list[str]]]:
    """(edition, problems) for each edition; the list is empty when it is intact."""
    for edition in editions:
        yield edition, list(check_edition(edition))
