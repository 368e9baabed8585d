"""publishing.memo: what a public page asks for several times is computed once per request."""

import gc
import weakref
from typing import Any

from django.test import RequestFactory

from publishing.memo import once_per_request


def _counting() -> tuple[list[Any], Any]:
    calls: list[Any] = []

    @once_per_request
    def lookup(request: Any, slug: str | None = None) -> str:
        calls.append(slug)
        return f"edition of {slug}"

    return calls, lookup


def test_a_value_is_computed_once_per_request_however_its_arguments_are_spelled() -> None:
    calls, lookup = _counting()
    request = RequestFactory().get("/")
    assert lookup(request) == lookup(request, None) == lookup(request, slug=None)
    assert calls == [None]


def test_other_arguments_and_other_requests_are_computed_afresh() -> None:
    calls, lookup = _counting()
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    lookup(first)
    lookup(first, "other")
    lookup(second)
    assert calls == [None, "other", None]


def test_nothing_is_written_on_the_request_and_the_value_goes_with_it() -> None:
    class Edition:
        pass

    @once_per_request
    def lookup(request: Any) -> Edition:
        return Edition()

    request = RequestFactory().get("/")
    before = set(vars(request))
    kept = weakref.ref(lookup(request))
    assert set(vars(request)) == before
    assert kept() is lookup(request)
    del request
    gc.collect()
    assert kept() is None
