"""The public look-up (/search/) and a scope's own page (/scopes/<id>/), read from snapshots.

Both read the default bulletin's public editions through publishing.selectors, the one place
that says which editions the public site shows. Both are GET pages kept by shared caches like
the others (publishing.caching.public_page): their ETag names the public editions' state and,
for the look-up, the question asked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import search
from .caching import page_etag, page_last_modified, public_page
from .diff import diff_snapshots, summary_text
from .memo import once_per_request
from .models import Edition
from .selectors import edition_in_force, list_state, public_editions


@dataclass
class Question:
    """What the look-up was asked: the text, whether every public edition, and its problem."""

    text: str
    every_edition: bool
    error: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Question:
        text = request.GET.get("q", "").strip()
        every_edition = request.GET.get("all") == "1"
        error = ""
        if len(text) > search.MAX_QUERY_LENGTH:
            error = _("查詢文字最多 %(limit)d 個字，請縮短後再查。") % {
                "limit": search.MAX_QUERY_LENGTH
            }
        return cls(text, every_edition, error)

    @property
    def terms(self) -> list[str]:
        return [] if self.error else search.query_terms(self.text)


@once_per_request
def _search_etag(request: HttpRequest) -> str:
    state = list_state(request)
    question = Question.from_request(request)
    return page_etag(
        "search", state["count"], state["changed"], question.text, question.every_edition
    )


def _search_last_modified(request: HttpRequest) -> datetime.datetime:
    return page_last_modified(list_state(request)["changed"])


@public_page(_search_etag, _search_last_modified)
def search_page(request: HttpRequest) -> HttpResponse:
    question = Question.from_request(request)
    in_force = edition_in_force(request)
    if question.every_edition:
        editions = list(public_editions(None).newest_first())
    else:
        editions = [in_force] if in_force else []
    indexes = search.indexes_for(editions)
    found = []
    for edition in editions:
        results = search.search(indexes[edition.pk], question.terms)
        if results.count:
            _link_scopes(results)
            url = edition.get_absolute_url()
            found.append({"edition": edition, "url": url, "results": results})
    programmes = indexes[in_force.pk].programmes if in_force else []
    context = {
        "nav": "search",
        "question": question,
        "in_force": in_force,
        "in_force_url": in_force.get_absolute_url() if in_force else "",
        "found": found,
        "count": sum(f["results"].count for f in found),
        "programmes": programmes[: search.MAX_RESULTS],
        "more_programmes": len(programmes) > search.MAX_RESULTS,
        "max_length": search.MAX_QUERY_LENGTH,
    }
    return render(request, "public/search.html", context, status=400 if question.error else 200)


def _link_scopes(results: search.Results) -> None:
    """Give each scope found its page's address (reversed here, not once per template tag)."""
    for group in results.programmes:
        for found in group.scopes:
            found.history_url = reverse("public:scope", args=[found.scope["id"]])


# A scope's page


@once_per_request
def _scope_etag(request: HttpRequest, scope_id: int) -> str:
    state = list_state(request)
    return page_etag("scope", scope_id, state["count"], state["changed"])


def _scope_last_modified(request: HttpRequest, scope_id: int) -> datetime.datetime:
    return page_last_modified(list_state(request)["changed"])


@public_page(_scope_etag, _scope_last_modified)
def scope_page(request: HttpRequest, scope_id: int) -> HttpResponse:
    editions = list(public_editions(None).order_by("date"))
    indexes = search.indexes_for(editions)
    history = scope_history(editions, indexes, scope_id)
    if not history:
        raise Http404(_("沒有這個產業範疇的公告資料。"))
    in_force = edition_in_force(request)
    current = indexes[in_force.pk].scopes.get(scope_id) if in_force else None
    last = history[-1]
    context = {
        "nav": "scope",
        "scope_id": scope_id,
        "in_force": in_force,
        "current": current,
        "last": last,
        "history": list(reversed(history)),
    }
    return render(request, "public/scope.html", context)


def _alone(entry: search.Entry) -> dict[str, Any]:
    """A snapshot of one scope under its programme: what the one diff compares."""
    return {"programmes": [{**entry.programme, "scopes": [entry.scope]}]}


def scope_history(
    editions: list[Edition], indexes: dict[int, search.Index], scope_id: int
) -> list[dict[str, Any]]:
    """The scope in each public edition, oldest first, where it was added, changed or removed.

    Each step carries the edition, the action (added / changed / removed), the scope's entry
    in that edition (for a removal, the last entry it had) and, for a change, the diff of
    publishing.diff (text marked by the one character diff, catalogue.textdiff) with its
    summary.
    """
    steps: list[dict[str, Any]] = []
    before: search.Entry | None = None
    for edition in editions:
        entry = indexes[edition.pk].scopes.get(scope_id)
        step: dict[str, Any] | None = None
        if entry is not None and before is None:
            step = {"action": "added"}
        elif entry is None and before is not None:
            step = {"action": "removed"}
        elif entry is not None and before is not None:
            diff = diff_snapshots(_alone(before), _alone(entry))
            if diff["changes"]:
                step = {"action": "changed", "diff": diff, "summary": summary_text(diff)}
        if step is not None:
            steps.append({**step, "edition": edition, "entry": entry or before})
        before = entry
    return steps
