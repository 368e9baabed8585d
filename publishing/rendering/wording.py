"""Every word the public table prints, in one place: the HTML, the PDF and the open data read it.

The texts are gettext msgids in Traditional Chinese, so that an English translation can be added
later without touching the templates.
"""

from typing import Any

from django.utils.translation import gettext as _


def labels() -> dict[str, Any]:
    """The table's wording, translated into the active language."""
    return {
        "columns": {
            "serial": _("序號"),
            "programme": _("政策性產業"),
            "agencies": _("部會/機關"),
            "scope": _("產業範疇"),
            "recognition": _("認定方式"),
        },
        "targets": _("推動目標"),
        "strategies": _("推動策略"),
        "same_as_above": _("同上"),
        "continued": _("（續）"),
        # {page} and {total} are replaced by the page number and the number of pages.
        "page": _("第 {page} 頁，共 {total} 頁"),
        "edition_date": _("公告日期"),
        "attachment": _("本版彙整表之凍結資料（JSON）"),
        # The stem of a downloaded file's name: 政策性產業彙整表-114.12.30.pdf
        "download_name": _("政策性產業彙整表"),
    }
