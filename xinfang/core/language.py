"""The language a piece of work is done in. A request has its reader's language (the
LocaleMiddleware's choice); a background job (a 台账 written by the worker) has none of its own,
so it keeps the language of the request that started it and works in that (issue 16)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation


def _known(code: str | None) -> str:
    codes = {c for c, _ in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def language_now() -> str:
    """The active language (in a request: its reader's), one of ``LANGUAGES``."""
    return _known(translation.get_language())


def language_in(code: str | None) -> AbstractContextManager[None]:
    """Work in ``code`` (a stored job's language; unknown or empty: the default)."""
    return translation.override(_known(code))
