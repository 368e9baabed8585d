"""What every renderer reads: an edition's frozen snapshot with its date and change note."""

import datetime
from dataclasses import dataclass
from typing import Any

from catalogue.roc import roc_date_filename, roc_date_long, roc_date_short


def file_basename(slug: str, date: datetime.date) -> str:
    """policy-industries-114-12-30: the stem of every file of an edition."""
    return f"{slug}-{roc_date_filename(date)}"


# The data package keeps the name its standard gives it, so that tools find it next to the files.
DATAPACKAGE_NAME = "datapackage.json"


def file_name(basename: str, fmt: str) -> str:
    """policy-industries-114-12-30.pdf, or datapackage.json: a file's name, stored and public."""
    return DATAPACKAGE_NAME if fmt == "datapackage" else f"{basename}.{fmt}"


@dataclass(frozen=True)
class Document:
    snapshot: dict[str, Any]
    date: datetime.date
    change_note: str = ""

    @classmethod
    def of(cls, edition: Any) -> "Document":
        return cls(snapshot=edition.snapshot, date=edition.date, change_note=edition.change_note)

    @property
    def roc_date(self) -> str:
        return roc_date_short(self.date)

    @property
    def roc_date_long(self) -> str:
        return roc_date_long(self.date)

    @property
    def title(self) -> str:
        return self.snapshot["bulletin"]["full_title"]

    @property
    def file_basename(self) -> str:
        return file_basename(self.snapshot["bulletin"]["slug"], self.date)
