"""The seal: published PDFs carry the agency's PAdES signature, read back with pyHanko and with
poppler's pdfsig; `edition verify` finds a tampered, re-signed or extended PDF; the pages say
who signed and which hash covers which bytes; production refuses a half-given certificate.

The test session signs with one self-signed test certificate (tests/conftest.py).
"""

import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import typst
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import override_settings
from pypdf import PdfReader, PdfWriter
from tampering import tamper

from publishing import services
from publishing.integrity import check_edition, check_seal
from publishing.models import Edition, EditionFile
from publishing.rendering import fonts, seal
from publishing.rendering.pdf import PDF_STANDARDS, font_dirs

ROOT = Path(__file__).resolve().parents[2]
TEST_SUBJECT = "測試用電子簽章（非正式）"


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    """A small tagged PDF/UA-1 + PDF/A-3u file made the way editions are (Typst)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "small.typ"
        source.write_text(
            '#set document(title: "小檔案")\n#set text(lang: "zh", font: "Noto Sans CJK TC")\n'
            "= 政策性產業\n#table(columns: 2, table.header[產業][目標], [半導體], [擴大])\n",
            encoding="utf-8",
        )
        return typst.compile(
            str(source),
            pdf_standards=PDF_STANDARDS,
            font_paths=fonts.typst_fonts(font_dirs()),
        )


@pytest.fixture(scope="module")
def sealed_pdf(small_pdf: bytes) -> bytes:
    return seal.seal_pdf(small_pdf)


def _pdf_row(edition: Edition) -> EditionFile:
    return edition.files.get(format="pdf")


def _pdfsig(path: Path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


# Signing and reading back


def test_sealed_pdf_starts_with_the_unsigned_bytes_and_reads_back(small_pdf, sealed_pdf):
    info = seal.read_seal(sealed_pdf)
    assert sealed_pdf.startswith(small_pdf) and len(sealed_pdf) > len(small_pdf)
    assert info.signer == TEST_SUBJECT
    assert info.intact and info.valid and info.whole_file
    assert info.unsigned_size == len(small_pdf)
    assert info.unsigned_sha256(sealed_pdf) == hashlib.sha256(small_pdf).hexdigest()
    assert info.signed_at is not None


def test_pdfsig_finds_the_seal_valid_and_covering_the_whole_file(sealed_pdf, tmp_path):
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed_pdf)
    report = _pdfsig(path)
    assert "Signature is Valid." in report
    assert f"Signer Certificate Common Name: {TEST_SUBJECT}" in report
    assert "Total document signed" in report


def test_sealed_pdf_keeps_its_pdfa_and_pdfua_marks_and_its_structure_tree(sealed_pdf):
    reader = PdfReader(io.BytesIO(sealed_pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp)
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/K"]  # the document's structure is still there
    assert root["/AcroForm"]["/SigFlags"] == 3  # signed, append only


def test_pdfsig_finds_a_changed_byte(sealed_pdf, small_pdf, tmp_path):
    forged = sealed_pdf.replace(b"Typst", b"Tyqst", 1)
    assert forged != sealed_pdf
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    assert "Signature is Valid." not in _pdfsig(path)
    info = seal.read_seal(forged)
    assert not info.intact


def test_a_pdf_without_a_signature_has_no_seal_to_read(small_pdf):
    with pytest.raises(seal.SealError):
        seal.read_seal(small_pdf)


def test_a_pkcs12_file_with_a_passphrase_seals_too(small_pdf, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    seal.ensure_demo_certificate(tmp_path, subject="PKCS#12 測試")
    key = serialization.load_pem_private_key((tmp_path / seal.DEMO_KEY).read_bytes(), None)
    cert = load_pem_x509_certificate((tmp_path / seal.DEMO_CERT).read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, serialization.BestAvailableEncryption(b"passphrase")
    )
    (tmp_path / "seal.p12").write_bytes(bundle)
    with override_settings(
        PDF_SEAL_PKCS12=str(tmp_path / "seal.p12"), PDF_SEAL_PASSPHRASE="passphrase"
    ):
        assert seal.read_seal(seal.seal_pdf(small_pdf)).signer == "PKCS#12 測試"
    with override_settings(PDF_SEAL_PKCS12=str(tmp_path / "seal.p12"), PDF_SEAL_PASSPHRASE="x"):
        with pytest.raises(ImproperlyConfigured, match="無法讀取 PDF_SEAL_PKCS12"):
            seal.seal_pdf(small_pdf)


# Publication


@pytest.mark.django_db
def test_publication_seals_the_pdf_and_records_the_approved_file(published_edition):
    row = _pdf_row(published_edition)
    data = Path(row.file.path).read_bytes()
    assert row.is_sealed and row.signed_by == TEST_SUBJECT
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
    assert row.unsigned_sha256 == hashlib.sha256(data[: row.unsigned_size]).hexdigest()
    assert row.signer_certificate_sha256 == seal.certificate_sha256()
    assert abs(row.signed_at - published_edition.published_at).total_seconds() < 60
    assert "Signature is Valid." in _pdfsig(Path(row.file.path))
    # Only the PDF carries a seal.
    assert not published_edition.files.exclude(format="pdf").exclude(signed_by="").exists()
    assert list(check_edition(published_edition)) == []


@pytest.mark.django_db
def test_without_a_certificate_publication_goes_on_unsealed_and_the_page_says_so(
    approved_edition, approver, client, settings
):
    settings.PDF_SEAL_DEMO_DIR = None
    edition = services.publish_edition(edition=approved_edition, user=approver)
    row = _pdf_row(edition)
    assert not row.is_sealed and row.unsigned_sha256 == "" and row.unsigned_size is None
    assert b"/ByteRange" not in Path(row.file.path).read_bytes()
    page = client.get(edition.get_absolute_url()).content.decode()
    assert "此版本的 PDF 未加電子簽章" in page
    assert list(check_edition(edition)) == []


# What the pages say


@pytest.mark.django_db
def test_edition_page_says_who_sealed_the_pdf_when_and_what_each_hash_covers(
    client, published_edition
):
    row = _pdf_row(published_edition)
    page = client.get(published_edition.get_absolute_url()).content.decode()
    assert f"PDF 檔由「{TEST_SUBJECT}」於 " in page
    assert f"下載的 PDF 的前 {row.unsigned_size} 位元組就是核定的檔案" in page
    assert row.unsigned_sha256 in page and row.sha256 in page
    assert row.signer_certificate_sha256 in page
    assert "pdfsig " in page and "Adobe Acrobat Reader" in page
    manifest = client.get(f"/editions/{published_edition.date}/manifest.json").json()
    pdf = next(f for f in manifest["files"] if f["format"] == "pdf")
    assert pdf["signed_by"] == TEST_SUBJECT
    assert (pdf["unsigned_size"], pdf["unsigned_sha256"]) == (
        row.unsigned_size,
        row.unsigned_sha256,
    )


@pytest.mark.django_db
def test_edition_admin_page_shows_the_seal(client, approver, published_edition):
    row = _pdf_row(published_edition)
    client.force_login(approver)
    url = f"/admin/publishing/edition/{published_edition.pk}/change/"
    page = client.get(url).content.decode()
    assert TEST_SUBJECT in page and row.unsigned_sha256 in page
    assert f"簽章後檔案的前 {row.unsigned_size} 位元組即核定的檔案" in page


# edition verify

# The seal checks run on a file row as publication writes it, over the small sealed PDF; one
# test runs `edition verify` on a published edition.


def _row(stored: bytes, approved: bytes) -> EditionFile:
    """A PDF row as publication records it for `approved`, its stored file holding `stored`."""
    info = seal.read_seal(seal.seal_pdf(approved))
    row = EditionFile(
        format="pdf",
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
        signed_by=info.signer,
        signed_at=info.signed_at,
        signer_certificate_sha256=info.certificate_sha256,
        unsigned_sha256=hashlib.sha256(approved).hexdigest(),
        unsigned_size=len(approved),
    )
    row.file.name = default_storage.save("seal-tests/edition.pdf", ContentFile(stored))
    return row


def test_verify_passes_an_intact_sealed_pdf(small_pdf, sealed_pdf):
    assert list(check_seal(_row(sealed_pdf, small_pdf))) == []


def test_verify_finds_a_signed_pdf_changed_after_signing(small_pdf, sealed_pdf):
    problems = list(check_seal(_row(sealed_pdf.replace(b"Typst", b"Tyqst", 1), small_pdf)))
    assert "電子簽章無效：簽章後檔案已被更動" in problems
    assert any(p.startswith(f"簽章前的檔案（前 {len(small_pdf)} 位元組）") for p in problems)


def test_verify_finds_a_pdf_signed_with_another_certificate(small_pdf, tmp_path):
    seal.ensure_demo_certificate(tmp_path, subject="冒名的簽章")
    with override_settings(PDF_SEAL_DEMO_DIR=tmp_path):
        forged = seal.seal_pdf(small_pdf)
    problems = list(check_seal(_row(forged, small_pdf)))
    assert len(problems) == 1, problems
    assert problems[0].startswith("簽章憑證 SHA-256 為") and "冒名的簽章" in problems[0]


def test_verify_finds_a_re_signed_pdf_whose_start_is_not_the_approved_file(small_pdf):
    other = seal.seal_pdf(small_pdf.replace(b"Typst", b"Tyqst", 1))
    problems = list(check_seal(_row(other, small_pdf)))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"簽章前的檔案（前 {len(small_pdf)} 位元組）SHA-256 為")


def test_verify_finds_an_update_appended_after_the_signature(small_pdf, sealed_pdf):
    writer = PdfWriter(io.BytesIO(sealed_pdf), incremental=True)
    writer.add_metadata({"/Title": "竄改的標題"})
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(sealed_pdf)
    problems = list(check_seal(_row(out.getvalue(), small_pdf)))
    assert problems == ["電子簽章未涵蓋整個檔案：簽章後另有附加內容"]


@pytest.mark.django_db
def test_edition_verify_reports_a_sealed_pdf_changed_with_its_record(published_edition):
    row = _pdf_row(published_edition)
    changed = Path(row.file.path).read_bytes().replace(b"Typst", b"Tyqst", 1)
    Path(row.file.path).write_bytes(changed)
    # An intruder with the database too: the file's size and hash agree; the seal does not.
    tamper(row, sha256=hashlib.sha256(changed).hexdigest())
    out = io.StringIO()
    with pytest.raises(CommandError, match="發現 2 處不符"):
        call_command("edition", "verify", str(published_edition.pk), stdout=out)
    assert "電子簽章無效" in out.getvalue()


# The demo certificate and the settings


@pytest.mark.django_db
def test_bootstrap_demo_makes_the_demo_certificate_once_and_seals_with_it(settings, tmp_path):
    settings.PDF_SEAL_DEMO_DIR = tmp_path / "seal"
    call_command("bootstrap", demo=True, verbosity=0, stdout=io.StringIO())
    cert = (tmp_path / "seal" / seal.DEMO_CERT).read_bytes()
    key = tmp_path / "seal" / seal.DEMO_KEY
    assert key.stat().st_mode & 0o077 == 0  # the key is its owner's alone
    out = io.StringIO()
    call_command("bootstrap", demo=True, stdout=out)
    assert (tmp_path / "seal" / seal.DEMO_CERT).read_bytes() == cert
    assert "沿用既有的示範用電子簽章憑證" in out.getvalue()
    row = EditionFile.objects.get(format="pdf")
    assert row.signed_by == seal.DEMO_SUBJECT == "勞動部勞動力發展署（示範用憑證，非正式）"


def _import_production(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the production settings with env (and the database and secret they need)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PDF_SEAL_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_with_a_key_but_no_certificate():
    result = _import_production(PDF_SEAL_KEY=str(Path(settings.PDF_SEAL_DEMO_DIR) / "demo-key.pem"))
    assert result.returncode != 0
    assert "PDF 電子簽章設定不完整" in result.stderr and "PDF_SEAL_KEY" in result.stderr


def test_production_refuses_to_start_with_a_passphrase_for_nothing():
    result = _import_production(PDF_SEAL_PASSPHRASE="secret")
    assert result.returncode != 0
    assert "PDF 電子簽章設定不完整" in result.stderr


def test_production_refuses_to_start_with_a_certificate_file_that_is_not_there(tmp_path):
    result = _import_production(PDF_SEAL_PKCS12=str(tmp_path / "missing.p12"))
    assert result.returncode != 0
    assert "PDF 電子簽章檔案不存在" in result.stderr


def test_production_starts_with_a_whole_pem_seal_or_none():
    folder = Path(settings.PDF_SEAL_DEMO_DIR)
    whole = _import_production(
        PDF_SEAL_KEY=str(folder / seal.DEMO_KEY), PDF_SEAL_CERT=str(folder / seal.DEMO_CERT)
    )
    assert whole.returncode == 0, whole.stderr
    assert _import_production().returncode == 0
