"""The catalogue admins' search boxes, through the public look-up's normaliser.

Django's search_fields semantics: every word of the query in some field, a quoted phrase kept
as one word. But the words and the texts are compared in the normal form of catalogue.folding
(NFKC, case folding, 臺/台-style variants), as the public look-up compares them: an editor
searching 台灣 finds the scopes that 臺灣 finds, ＡＩ those that ai finds.

Neither database folds as the normaliser does (PostgreSQL's lower() follows the database's
locale and its NORMALIZE() whole strings, SQLite lowers ASCII only; neither knows the
variants), so one query reads the searched texts and Python folds and matches them. That query
reads each relation of search_fields on its own (a UNION ALL of one SELECT per relation):
Django's own search joins a programme's scopes, agencies, targets, strategies and sections in
one query, whose rows multiply (each scope's agencies × targets × strategies × sections) and
which took 0.26 s on PostgreSQL at 100 times the real bulletin. The matching rows are then
named by their pks: the changelist counts its results and then reads its page, and each would
otherwise search every text again. At 100× the bulletin the query reads about 17,000 rows
(470,000 characters): 35–60 ms a search on PostgreSQL, where the database's own substring
match (which told 臺灣 from 台灣) took 15–30 ms, under the same load.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import models
from django.db.models import TextField, Value
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from ..folding import fold

# Folded texts kept by the process, by the text itself: the catalogue's texts seldom change,
# and folding them again at every search was half its time at 100× the bulletin (the texts
# of 100× are about 40,000 values).
folded = lru_cache(maxsize=100_000)(fold)


def search_terms(search_term: str) -> list[str]:
    """The words of a search in normal form; a quoted phrase is one word, as in Django's search."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        term = fold(bit)
        if term:
            terms.append(term)
    return terms


def many_valued_path(model: type[models.Model], name: str) -> str:
    """The part of a field path up to its last relation that may hold several rows:
    scopes__agencies for scopes__agencies__name, "" for scope__programme__name."""
    parts = name.split("__")[:-1]
    opts, end = model._meta, 0
    for position, part in enumerate(parts, start=1):
        field = opts.get_field(part)
        if field.many_to_many or field.one_to_many:
            end = position
        opts = field.related_model._meta
    return "__".join(parts[:end])


def searched_texts(model: type[models.Model], fields: Sequence[str]) -> models.QuerySet:
    """Rows of (pk, text, …): one SELECT per many-valued relation that `fields` name (a scope's
    title and its programme's name together, its targets apart), joined by UNION ALL."""
    relations: dict[str, list[str]] = defaultdict(list)
    for name in fields:
        relations[many_valued_path(model, name)].append(name)
    width = max(len(names) for names in relations.values())
    selects = [
        model._default_manager.order_by().values_list(
            "pk", *names, *[Value("", output_field=TextField())] * (width - len(names))
        )
        for names in relations.values()
    ]
    return selects[0].union(*selects[1:], all=True)


def matching_pks(model: type[models.Model], fields: Sequence[str], terms: list[str]) -> list[Any]:
    """The pks of the rows of model with every term in some of fields, in normal form."""
    every = (1 << len(terms)) - 1
    found: dict[Any, int] = defaultdict(int)  # pk → the terms found so far, one bit each
    for pk, *values in searched_texts(model, fields):
        for value in values:
            if value:
                text = folded(value)
                for bit, term in enumerate(terms):
                    if term in text:
                        found[pk] |= 1 << bit
    return [pk for pk, terms_found in found.items() if terms_found == every]


class FoldedSearchMixin:
    """For a ModelAdmin: search_fields searched through the normaliser (plain field paths, no
    ^, = or @ prefix), with the same two queries whatever the number of words."""

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        fields = self.get_search_fields(request)  # type: ignore[attr-defined]
        terms = search_terms(search_term)
        if not fields or not terms:
            return queryset, False
        return queryset.filter(pk__in=matching_pks(queryset.model, fields, terms)), False
