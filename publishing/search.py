"""Look-up over public editions' frozen snapshots: which programme and scope name a text.

Searching reads the snapshot an edition was published with, never the live catalogue, so a
result always matches what the edition's page shows.

Chinese has no spaces between words, so a query matches as a substring. Before comparing, the
text and the query go through the ONE normaliser (`normalise`, in catalogue/folding.py, which
the back office's search boxes use too): NFKC (full-width ＡＩ and half-width forms become one
form, compatibility ideographs their unified one), case folding, and the variant pairs of
VARIANTS (臺 is found by 台 and the other way round). The normaliser keeps, for each character
it writes, the position of the original character it came from, so a match found in the
normalised text is marked in the original text.

An edition's index (every scope's fields, normalised) is built once per process and kept
under the snapshot's SHA-256, as publishing.pages keeps the rendered tables: the snapshot is
read from the database only when the index is not kept yet. At 100× the bulletin a look-up
costs a few milliseconds (bench/search.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_noop as N_

from catalogue.folding import Folded, normalise

# A query longer than this is refused with a message: no label or sentence is that long, and
# a bounded query keeps the cost of a look-up bounded.
MAX_QUERY_LENGTH = 100
# At most this many scopes are shown (the count of all matches is still given), and at most
# MAX_HITS matching texts of each: the real bulletin has 20 scopes, and a page of 50 stays
# readable and fast at 100× the bulletin (bench/search.py).
MAX_RESULTS = 50
MAX_HITS = 6
# Characters of context shown on either side of a match in a long text.
CONTEXT = 40


def query_terms(query: str) -> list[str]:
    """The normalised terms of a query: words apart by spaces must all be found."""
    terms = normalise(query).text.split()
    return list(dict.fromkeys(t for t in terms if t))


# Fields


@dataclass
class Field:
    """One text of a scope that the look-up reads, with its label and its normal form."""

    label: str  # a Chinese msgid, translated on display
    text: str
    folded: Folded

    def spans(self, terms: Iterable[str]) -> list[tuple[int, int]]:
        """Every match of every term, as [start, end) in the original text, merged."""
        found: list[tuple[int, int]] = []
        haystack, origins = self.folded.text, self.folded.origins
        for term in terms:
            start = haystack.find(term)
            while start != -1:
                end = start + len(term)
                found.append((origins[start], origins[end - 1] + 1))
                start = haystack.find(term, end)
        return _merge(found)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _field(label: str, text: str) -> Field:
    return Field(label, text, normalise(text))


@dataclass
class Entry:
    """A scope of the index: its programme, its fields and, joined, their normal forms."""

    programme: dict[str, Any]
    scope: dict[str, Any]
    fields: list[Field]
    blob: str  # every field's normal form (and the programme's name), for a quick test


@dataclass
class Index:
    sha256: str
    programme_fields: dict[int, Field]
    entries: list[Entry]
    programmes: list[dict[str, Any]] = field(default_factory=list)
    scopes: dict[int, Entry] = field(default_factory=dict)


def _scope_fields(scope: dict[str, Any]) -> list[Field]:
    fields = []
    if scope["title"]:
        fields.append(_field(N_("範疇名稱"), scope["title"]))
    if scope["description"]:
        fields.append(_field(N_("產業範疇說明"), scope["description"]))
    fields += [_field(N_("部會/機關"), a["name"]) for a in scope["agencies"]]
    if scope["headline"]:
        fields.append(_field(N_("願景"), scope["headline"]))
    fields += [_field(N_("推動目標"), t["text"]) for t in scope["targets"]]
    for part in scope["strategies"]:
        fields.append(_field(N_("推動策略"), part["heading"]))
        fields += [_field(N_("推動策略"), item) for item in part["items"]]
    for part in scope["sections"]:
        fields.append(_field(N_("段落"), part["heading"]))
        fields += [_field(N_("段落"), item) for item in part["items"]]
    if scope["note"]:
        fields.append(_field(N_("備註"), scope["note"]))
    return fields


def build_index(snapshot: dict[str, Any], sha256: str) -> Index:
    """Every scope of the snapshot with its texts in normal form."""
    programme_fields: dict[int, Field] = {}
    entries = []
    for programme in snapshot["programmes"]:
        name = _field(N_("政策性產業"), programme["name"])
        programme_fields[programme["id"]] = name
        for scope in programme["scopes"]:
            fields = _scope_fields(scope)
            blob = "\0".join([name.folded.text, *(f.folded.text for f in fields)])
            entries.append(Entry(programme, scope, fields, blob))
    index = Index(sha256, programme_fields, entries, list(snapshot["programmes"]))
    index.scopes = {entry.scope["id"]: entry for entry in entries}
    return index


# The indexes this process keeps, newest use last. A handful of editions is all the public
# pages ask for; at 100× the bulletin an index takes about 30 MB.
KEPT_INDEXES = 8
_indexes: OrderedDict[str, Index] = OrderedDict()
_lock = threading.Lock()


def kept_index(sha256: str) -> Index | None:
    with _lock:
        index = _indexes.get(sha256)
        if index is not None:
            _indexes.move_to_end(sha256)
        return index


def keep_index(index: Index) -> Index:
    with _lock:
        _indexes[index.sha256] = index
        _indexes.move_to_end(index.sha256)
        while len(_indexes) > KEPT_INDEXES:
            _indexes.popitem(last=False)
    return index


def forget_indexes() -> None:
    """For tests: start from no kept index."""
    with _lock:
        _indexes.clear()


def indexes_for(editions: list[Any]) -> dict[int, Index]:
    """The index of each edition (by pk); snapshots not kept yet are read in one query.

    The editions come without their snapshot (PAGE_DEFERRED); only those whose index is not
    kept are read again, with their snapshot.
    """
    from .models import Edition

    found: dict[int, Index] = {}
    missing = []
    for edition in editions:
        index = kept_index(edition.snapshot_sha256)
        if index is None:
            missing.append(edition.pk)
        else:
            found[edition.pk] = index
    if missing:
        rows = Edition.objects.filter(pk__in=missing).only("pk", "snapshot", "snapshot_sha256")
        for row in rows:
            found[row.pk] = keep_index(build_index(row.snapshot, row.snapshot_sha256))
    return found


# Searching


@dataclass
class Hit:
    label: str
    html: SafeString


@dataclass
class ScopeResult:
    scope: dict[str, Any]
    title_html: SafeString
    hits: list[Hit]
    more_hits: int  # matching texts not shown
    history_url: str = ""  # the scope's page, set by the view that knows the URLs


@dataclass
class ProgrammeResult:
    programme: dict[str, Any]
    name_html: SafeString
    scopes: list[ScopeResult] = field(default_factory=list)


@dataclass
class Results:
    count: int  # scopes that match, all of them
    programmes: list[ProgrammeResult]
    truncated: bool


def search(index: Index, terms: list[str], *, limit: int = MAX_RESULTS) -> Results:
    """The scopes where every term occurs, grouped by programme, matches marked."""
    if not terms:
        return Results(0, [], False)
    matching = index.entries
    for term in terms:  # one comprehension per term: `in` runs in C, no generator per entry
        matching = [e for e in matching if term in e.blob]
    groups: dict[int, ProgrammeResult] = {}
    for entry in matching[:limit]:
        pid = entry.programme["id"]
        group = groups.get(pid)
        if group is None:
            name = index.programme_fields[pid]
            group = groups[pid] = ProgrammeResult(entry.programme, highlight(name, terms))
        group.scopes.append(_scope_result(entry, terms))
    return Results(len(matching), list(groups.values()), len(matching) > limit)


def _scope_result(entry: Entry, terms: list[str]) -> ScopeResult:
    scope = entry.scope
    title = _field("", scope["title"] or scope["description"])
    hits = []
    for item in entry.fields:
        if item.text != title.text and any(t in item.folded.text for t in terms):
            hits.append(item)
    shown = [Hit(f.label, highlight(f, terms, context=CONTEXT)) for f in hits[:MAX_HITS]]
    return ScopeResult(
        scope, highlight(title, terms, context=CONTEXT), shown, len(hits) - len(shown)
    )


def highlight(item: Field, terms: list[str], *, context: int | None = None) -> SafeString:
    """The field's text, escaped, each match in <mark>; a long text cut around its matches."""
    text = item.text
    spans = item.spans(terms)
    if context is not None and len(text) > 2 * context + 20:
        window_start = max(0, spans[0][0] - context) if spans else 0
        window_end = min(len(text), (spans[-1][1] if spans else 0) + context)
        window_end = max(window_end, min(len(text), window_start + 2 * context))
        spans = [(max(s, window_start), min(e, window_end)) for s, e in spans if s < window_end]
    else:
        window_start, window_end = 0, len(text)
    # (text before a match, the match) pairs: one format_html per match, not per piece.
    pairs = []
    at = window_start
    for start, end in spans:
        pairs.append((text[at:start], text[start:end]))
        at = end
    body = format_html_join("", "{}<mark>{}</mark>", pairs)
    before = "…" if window_start > 0 else ""
    after = text[at:window_end] + ("…" if window_end < len(text) else "")
    return format_html("{}{}{}", before, body, after)
