"""Starting Django leaves the heavy libraries unloaded: every management command and every web
or background worker starts without them, and the code that renders or seals imports them."""

import os
import subprocess
import sys
from pathlib import Path

import tablib
from import_export.formats import base_formats

ROOT = Path(__file__).resolve().parents[2]
# Typst, pikepdf, fontTools and uniseg render the files; pyHanko (with aiohttp) seals the PDF;
# openpyxl and odfpy read and write XLSX and ODS, for tablib and django-import-export
# (config/settings/base.py says why import_export is not an installed app).
HEAVY = ("typst", "pikepdf", "fontTools", "uniseg", "pyhanko", "aiohttp", "openpyxl", "odf")


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules loaded once `code` has run in a fresh Python process."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_starting_django_with_its_checks_and_the_edition_command_loads_no_renderer():
    loaded = _loaded_after(
        "import django\n"
        "django.setup()\n"
        "from django.core import checks\n"
        "checks.run_checks()\n"
        "from django.core.management import load_command_class\n"
        "load_command_class('publishing', 'edition')\n"
        "import publishing.services, publishing.tasks, publishing.rendering.seal\n"
    )
    assert loaded == []


def test_rendering_an_edition_loads_the_renderers_it_needs():
    # The other side of the test above: the probe does see a module once it is imported.
    loaded = _loaded_after(
        "import django\ndjango.setup()\nfrom publishing.rendering import renderers\nrenderers()\n"
    )
    assert {"typst", "pikepdf"} <= set(loaded)


def test_tablib_still_offers_reads_and_writes_xlsx_and_ods():
    assert {base_formats.XLSX, base_formats.ODS} <= set(base_formats.DEFAULT_FORMATS)
    sheet = tablib.Dataset(["半導體", 3], headers=["名稱", "數"])
    for file_format in ("xlsx", "ods"):
        content = sheet.export(file_format)
        assert tablib.Dataset().load(content).dict[0]["名稱"] == "半導體"


def test_import_exports_formats_load_openpyxl_and_odfpy_as_they_are_imported():
    # Why import_export is a library here and not an installed app (config/settings/base.py):
    # its admin module, which the admin's autodiscovery would import at every start, imports
    # these formats. Checked against django-import-export 4.4.3; if this fails, the library
    # has become lazy and the app could be installed again without slowing the start.
    loaded = _loaded_after("import import_export.formats.base_formats\n")
    assert {"openpyxl", "odf"} <= set(loaded)
