"""What every resolution service shares: the gate, the clean text, the error helpers."""

from __future__ import annotations

from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden, NotFound

__all__ = ["ApplicationError", "Forbidden", "NotFound", "invalid", "text"]


def invalid(fields: dict[str, list[str]], message: str | None = None) -> ApplicationError:
    return ApplicationError(message or gettext("请检查标出的内容"), fields=fields)


def text(value: str | None, *, limit: int, field: str) -> str:
    """Trimmed text; NUL bytes and text over ``limit`` are refused on ``field`` (a clear 400)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise invalid({field: [gettext("内容含有不允许的字符")]})
    if len(value) > limit:
        raise invalid({field: [gettext("内容过长（最多 %(n)s 字）") % {"n": limit}]})
    return value
