"""Request middleware of the project."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Pages are in zh-hans unless the user picked another language with the switch.

    Django's own middleware would follow the browser's Accept-Language header, so an office
    computer with an English browser would get English pages; here only the language cookie
    that the switch sets counts, and the default is ``LANGUAGE_CODE``.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not chosen or not translation.check_for_language(chosen):
            chosen = settings.LANGUAGE_CODE
        translation.activate(translation.get_supported_language_variant(chosen))
        request.LANGUAGE_CODE = translation.get_language()
