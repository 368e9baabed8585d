"""Values a public page needs several times while it answers one request, computed once.

Django's `condition()` asks a page's ETag and Last-Modified functions before the view runs,
with nothing but the request and the URL's arguments, and `caching.kept_page` asks for the
ETag again: the edition they all read cannot be passed from one to the next. So each such
function is decorated with `once_per_request`, which keeps its result for the rest of the
request in one memo keyed on the request object itself. The memo is a WeakKeyDictionary, not
attributes set on Django's request: a value goes when its request goes, and nothing of ours is
written onto an object that belongs to Django.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.http import HttpRequest

T = TypeVar("T")

# request → {(function, its other arguments): result}
_memos: WeakKeyDictionary[HttpRequest, dict[Hashable, Any]] = WeakKeyDictionary()


def once_per_request(func: Callable[..., T]) -> Callable[..., T]:
    """Call func(request, …) once per request and set of arguments; later calls reuse it.

    The arguments are matched as bound to func's signature, defaults applied, so that
    `f(request)`, `f(request, None)` and `f(request, slug=None)` share one result. An
    exception (a 404) is not kept: it ends the request anyway.
    """
    signature = inspect.signature(func)

    @wraps(func)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> T:
        bound = signature.bind(request, *args, **kwargs)
        bound.apply_defaults()
        key = (func, *list(bound.arguments.items())[1:])
        memo = _memos.setdefault(request, {})
        if key not in memo:
            memo[key] = func(request, *args, **kwargs)
        return memo[key]

    return wrapped
