"""tablib's XLSX and ODS formats, registered to import their libraries on first use.

django-import-export lists the formats it can offer as it is imported, which is at every
start (Django's admin imports `import_export.admin`), by asking tablib for each; tablib then
imports that format's library: openpyxl (with lxml and Pillow) and odfpy, a tenth of a second
of every command's and every worker's start. This project reads and writes these files with
its own readers and writers (formats.py), in the spreadsheet views only. `register()` puts
each format back under its key, through tablib's registry, as an object that imports tablib's
own class when first used; both libraries are dependencies of the project, so the formats
stay available as before.
"""

from typing import Any

from tablib.formats import load_format_class, registry

# As tablib registers them (tablib.formats.Registry.register_builtins).
LAZY_FORMATS = {
    "xlsx": "tablib.formats._xlsx.XLSXFormat",
    "ods": "tablib.formats._ods.ODSFormat",
}


class LazyFormat:
    """Stands for tablib's format class at `path`, importing it when first used."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(load_format_class(self.path), name)


def register() -> None:
    """Register the lazy formats; before anything imports import_export.formats."""
    for key, path in LAZY_FORMATS.items():
        registry.register(key, LazyFormat(path))
