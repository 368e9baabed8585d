"""The agency's seal on an edition's PDF: a PAdES signature added as an incremental update.

`seal_pdf(pdf)` signs with the certificate the settings name (docs/deploy.md) and returns the
signed file; it starts with the input bytes exactly, so the file the approver saw (its SHA-256
is on the edition's record) is the signed file's first `len(pdf)` bytes, and the PDF/A-3 and
PDF/UA marks of the original (XMP, structure tree) stay as they were. `read_seal(pdf)` reads a
signature back with pyHanko's validation API: who signed, when, whether the signed bytes are
intact and cover the whole file.

Where the certificate comes from (settings, read once per process and cached):
- PDF_SEAL_PKCS12 (+ PDF_SEAL_PASSPHRASE), or PDF_SEAL_KEY + PDF_SEAL_CERT (+ PDF_SEAL_PASSPHRASE
  for an encrypted key); PDF_SEAL_CHAIN lists intermediate certificates to embed;
- otherwise the demo certificate in PDF_SEAL_DEMO_DIR, if the settings name a folder and
  `bootstrap --demo` (or the test session) made one there (`ensure_demo_certificate`);
- otherwise none: publication goes on and the edition's record and pages say the PDF is not
  sealed. Production refuses to start on a half-given configuration (config/settings).

There is no time-stamp authority: the signing time is the one the server states in the
signature (PAdES B-B), which is what `pdfsig` and Adobe Reader show.

pyHanko is imported by the functions that sign or read, not with this module: it takes about
a third of a second (it brings aiohttp for its time-stamp client), which a publication without
a configured seal, and every process that never seals, need not pay.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import SimpleSigner

DEMO_KEY = "demo-key.pem"
DEMO_CERT = "demo-cert.pem"
DEMO_SUBJECT = "勞動部勞動力發展署（示範用憑證，非正式）"
FIELD_NAME = "AgencySeal"
# The field's name for people (/TU): what a screen reader announces for the seal.
FIELD_LABEL = "勞動部勞動力發展署電子簽章"
# Room for the signature's own fields beside its certificates (a CMS signature with an RSA-4096
# key and signed attributes takes under 2 kB besides them).
SIGNATURE_OVERHEAD = 4096


class SealError(Exception):
    """The PDF carries no readable seal."""


@dataclass(frozen=True)
class SealInfo:
    """What a PDF's (last) signature says and whether it holds."""

    signer: str  # the certificate's subject common name (or the whole subject)
    signed_at: datetime.datetime | None  # the time the signer stated
    intact: bool  # the signed bytes hash to the digest in the signature
    valid: bool  # ... and the signature over that digest verifies with the certificate
    whole_file: bool  # the signature covers every byte of the file but its own contents
    unsigned_size: int  # the length of the file before the signature was added
    certificate_sha256: str  # the signing certificate's fingerprint

    @property
    def holds(self) -> bool:
        return self.intact and self.valid and self.whole_file

    def unsigned_sha256(self, pdf: bytes) -> str:
        """SHA-256 of the file as it was before the signature (the approved file)."""
        return hashlib.sha256(pdf[: self.unsigned_size]).hexdigest()


def seal_configured() -> bool:
    """Whether publication signs the PDF (a certificate is configured or a demo one exists)."""
    return signer() is not None


@functools.cache
def signer() -> SimpleSigner | None:
    """The configured signer, loaded once per process; None when no seal is configured."""
    if settings.PDF_SEAL_PKCS12:
        return _load_pkcs12(Path(settings.PDF_SEAL_PKCS12))
    if settings.PDF_SEAL_KEY or settings.PDF_SEAL_CERT:
        return _load_pem(Path(settings.PDF_SEAL_KEY), Path(settings.PDF_SEAL_CERT))
    demo = settings.PDF_SEAL_DEMO_DIR
    if demo and (Path(demo) / DEMO_KEY).exists():
        return _load_pem(Path(demo) / DEMO_KEY, Path(demo) / DEMO_CERT)
    return None


@receiver(setting_changed)
def _forget_signer(*, setting: str, **kwargs: object) -> None:
    # Tests point the settings at another certificate; the next seal loads that one.
    if setting.startswith("PDF_SEAL_"):
        signer.cache_clear()


def _passphrase() -> bytes | None:
    return settings.PDF_SEAL_PASSPHRASE.encode() if settings.PDF_SEAL_PASSPHRASE else None


def _chain() -> list[x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder(settings.PDF_SEAL_CHAIN))


def _load_pkcs12(path: Path) -> SimpleSigner:
    from pyhanko.sign.signers import SimpleSigner

    try:
        return SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=_chain(), passphrase=_passphrase()
        )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"無法讀取 PDF_SEAL_PKCS12（{path}）：{error}") from error


def _load_pem(key: Path, cert: Path) -> SimpleSigner:
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        loaded = SimpleSigner(
            signing_cert=load_cert_from_pemder(str(cert)),
            signing_key=load_private_key_from_pemder(str(key), passphrase=_passphrase()),
            cert_registry=SimpleCertificateStore.from_certs(_chain()),
        )
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"無法讀取 PDF 電子簽章的金鑰或憑證（{key}、{cert}）：{error}"
        ) from error
    return loaded


def _outside_any_event_loop(function: Any) -> Any:
    """pyHanko signs and validates through asyncio.run(), which refuses to start inside a
    running event loop (an ASGI server, Playwright's loop in a browser test): there the work
    goes to a thread of its own and the caller waits for it."""

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args).result()

    return wrapper


@_outside_any_event_loop
def seal_pdf(pdf: bytes) -> bytes:
    """The PDF with the agency's PAdES signature appended as an incremental update.

    The output starts with `pdf` exactly. Raises ImproperlyConfigured when no seal is
    configured (callers ask `seal_configured()` first).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    current = signer()
    if current is None:
        raise ImproperlyConfigured("尚未設定 PDF 電子簽章憑證。")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # An invisible field (zero-size rectangle, printable: PDF/A-3 6.3.2 and 6.3.3) on the last
    # page, named for people (/TU, PDF/UA-1 7.18.4), its widget tagged as a Form element at
    # the end of the reading order (7.18.4; no exemption for invisible widgets).
    fields.append_signature_field(
        writer, fields.SigFieldSpec(FIELD_NAME, on_page=-1, readable_field_name=FIELD_LABEL)
    )
    _tag_widget(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="公告版本（published edition）",
    )
    out = signers.sign_pdf(writer, meta, signer=current, bytes_reserved=_reserve(current))
    signed = out.getvalue()
    if not signed.startswith(pdf):  # the promise the pages make; never publish without it
        raise RuntimeError("the signed PDF does not start with the unsigned one")
    return signed


def _tag_widget(writer: IncrementalPdfFileWriter) -> None:
    """Put the seal's widget in the structure tree: a Form element, last in the document's
    reading order, whose only kid is an object reference to the widget, with the widget's
    StructParent entry in the parent tree; its page gets /Tabs /S (PDF/UA-1 7.18.3)."""
    from pyhanko.pdf_utils import generic

    fields = writer.root["/AcroForm"]["/Fields"]
    widget_ref = next(ref for ref in fields if ref.get_object().get("/T") == FIELD_NAME)
    widget = widget_ref.get_object()
    page_ref = widget.raw_get("/P")
    tree = writer.root["/StructTreeRoot"]
    document_ref = tree.raw_get("/K")
    if isinstance(document_ref, generic.ArrayObject):  # one kid, the Document element
        document_ref = document_ref.raw_get(0)
    form_ref = writer.add_object(_form_element(document_ref, page_ref, widget_ref))
    document = document_ref.get_object()
    kids = document.get("/K")
    if not isinstance(kids, generic.ArrayObject):
        kids = document["/K"] = generic.ArrayObject([document.raw_get("/K")] if kids else [])
    kids.append(form_ref)
    parents = tree["/ParentTree"]
    if "/Nums" not in parents:
        raise RuntimeError("the structure tree's parent tree has no flat /Nums array")
    key = int(tree.get("/ParentTreeNextKey", 0))
    parents["/Nums"].extend([generic.NumberObject(key), form_ref])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    widget["/StructParent"] = generic.NumberObject(key)
    page_ref.get_object()["/Tabs"] = generic.pdf_name("/S")
    for container in (document, parents, tree):
        writer.update_container(container)
    writer.mark_update(page_ref)
    writer.mark_update(widget_ref)


def _form_element(document_ref: Any, page_ref: Any, widget_ref: Any) -> Any:
    """The Form structure element of the seal's widget, a kid of the Document element."""
    from pyhanko.pdf_utils.generic import DictionaryObject, pdf_name

    reference = {"/Type": pdf_name("/OBJR"), "/Obj": widget_ref, "/Pg": page_ref}
    element = {
        "/Type": pdf_name("/StructElem"),
        "/S": pdf_name("/Form"),
        "/P": document_ref,
        "/Pg": page_ref,
        "/K": DictionaryObject({pdf_name(k): v for k, v in reference.items()}),
    }
    return DictionaryObject({pdf_name(k): v for k, v in element.items()})


def _reserve(current: SimpleSigner) -> int:
    """Bytes to reserve for the signature: its certificates and some room. Giving it spares
    pyHanko a trial signature to measure one (half the time of signing)."""
    certs = [current.signing_cert, *current.cert_registry]
    size = SIGNATURE_OVERHEAD + sum(len(cert.dump()) for cert in certs)
    return size + size % 2  # pyHanko writes it as hex digits: an even number of bytes


@_outside_any_event_loop
def read_seal(pdf: bytes) -> SealInfo:
    """The last signature of pdf, validated (cryptographically; trust is not judged here)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if not reader.embedded_signatures:
        raise SealError("這個 PDF 沒有電子簽章。")
    signature = reader.embedded_signatures[-1]
    # Trust in the issuer is for the reader's software (Adobe, pdfsig) to judge; a context
    # trusting the signer itself keeps pyHanko from fetching anything over the network.
    context = ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    return SealInfo(
        signer=_name(signature.signer_cert),
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        unsigned_size=_revision_end(pdf, reader, signature.signed_revision - 1),
        certificate_sha256=signature.signer_cert.sha256.hex(),
    )


def _name(cert: x509.Certificate) -> str:
    subject = cert.subject.native
    return subject.get("common_name") or cert.subject.human_friendly


def _revision_end(pdf: bytes, reader: PdfFileReader, revision: int) -> int:
    """Where a revision's bytes end: after the %%EOF (and its line end) that follows its xref."""
    if revision < 0:
        return 0
    start = reader.xrefs.get_startxref_for_revision(revision)
    end = pdf.find(b"%%EOF", start)
    if end < 0:
        raise SealError("找不到簽章前版本的結尾。")
    end += len(b"%%EOF")
    for eol in (b"\r\n", b"\n", b"\r"):
        if pdf.startswith(eol, end):
            return end + len(eol)
    return end


def certificate_sha256() -> str:
    """The configured signing certificate's fingerprint, as SealInfo.certificate_sha256 says it."""
    current = signer()
    return current.signing_cert.sha256.hex() if current else ""


def ensure_demo_certificate(folder: Path, *, subject: str = DEMO_SUBJECT) -> bool:
    """Create a self-signed demo key and certificate in folder unless one is there already.

    Returns whether it created them. The subject says it is a demo: nobody may take a file
    sealed with it for the agency's.
    """
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = folder / DEMO_KEY, folder / DEMO_CERT
    if key_path.exists() and cert_path.exists():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "勞動部勞動力發展署（示範）"),
            cx509.NameAttribute(NameOID.COMMON_NAME, subject),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)  # private from its first byte
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer.cache_clear()
    return True
