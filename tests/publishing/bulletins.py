"""A second bulletin beside the demo one, and publishing an edition of any bulletin."""

import datetime
from typing import Any

from catalogue.demo import load_bulletin, read_demo_data
from catalogue.models import Bulletin
from publishing import services
from publishing.models import Edition

SECOND_SLUG = "green-industries"
SECOND_TITLE = "綠色產業彙整表"


def second_bulletin(programmes: int = 1) -> Bulletin:
    """Another bulletin of the agency: the demo's first programmes under another slug."""
    data = read_demo_data()
    data["bulletin"] = {**data["bulletin"], "slug": SECOND_SLUG, "title": SECOND_TITLE}
    data["programmes"] = data["programmes"][:programmes]
    bulletin, _ = load_bulletin(data, user=None)
    return bulletin


def publish(bulletin: Bulletin, date: datetime.date, editor: Any, approver: Any) -> Edition:
    """An edition of the bulletin, through every step as the admin and the command take it."""
    edition = services.create_edition(bulletin=bulletin, date=date, user=editor)
    edition = services.submit_edition(edition=edition, user=editor)
    edition = services.approve_edition(edition=edition, user=approver)
    return services.publish_edition(edition=edition, user=approver)
