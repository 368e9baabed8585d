"""What every renderer reads: an edition's frozen snapshot with its date and change note."""

import datetime
from dataclasses import dataclass
from typing import Any

from catalogue.roc import roc_date_long, roc_date_short


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
