"""What every reception service shares: the gate, the error for a form, the clean text."""

from __future__ import annotations

from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.reception.access import organ_in_scope, require

__all__ = ["ApplicationError", "Forbidden", "NotFound", "gate", "invalid", "text"]


def gate(actor: User, cap: Cap, organ: Organ) -> None:
    """The actor may ``cap`` and ``organ`` lies in the actor's scope (else 404)."""
    if not organ_in_scope(actor, organ):
        raise NotFound()
    require(actor, cap)


def invalid(fields: dict[str, list[str]], message: str | None = None) -> ApplicationError:
    return ApplicationError(message or gettext("请检查标出的内容"), fields=fields)


def text(value: str | None, *, limit: int, field: str) -> str:
    """Trimmed text; NUL bytes and text over ``limit`` are refused on ``field`` (a 400)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise invalid({field: [gettext("内容含有不允许的字符")]})
    if len(value) > limit:
        raise invalid({field: [gettext("内容过长（最多 %(n)s 字）") % {"n": limit}]})
    return value
