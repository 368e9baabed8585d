"""The site's language: Traditional Chinese unless the visitor chose another one."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Activate the language chosen with /i18n/setlang/ (a cookie), else the site's language.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: the
    agency's site is in Traditional Chinese for everyone, including staff and visitors whose
    browsers are set to English; English is there for those who pick it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        # A response marked language_independent (an edition's file) is the same for everyone:
        # no Vary: Cookie, so that a shared cache keeps one copy.
        if not getattr(response, "language_independent", False):
            patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
