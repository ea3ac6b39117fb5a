"""What every resolution service shares: the gate, the clean text, the error helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden, NotFound

__all__ = [
    "ApplicationError",
    "Forbidden",
    "NotFound",
    "exists",
    "invalid",
    "prior",
    "text",
    "unique",
]


def prior(model: Any, submission: str | None, **who: Any) -> Any:
    """The record an earlier post of the same form created (the form's one-time key, the
    models' ``submission``), or None: a refresh or double click returns it instead of creating
    a second one. Two posts at the same moment may both find none; ``unique`` answers the
    second one's insert."""
    if not submission:
        return None
    return model.objects.filter(submission=submission, **who).first()


def exists(message: str, *, field: str = "") -> ApplicationError:
    """A 409: the record the request would create is already there ("已存在")."""
    fields = {field: [message]} if field else None
    return ApplicationError(message, code="exists", status=409, fields=fields)


@contextmanager
def unique(message: str, *, field: str = "") -> Iterator[None]:
    """The writes of a create whose key a database constraint holds unique (a form's one-time
    key, one live record per petition, one decision per step). The service checks first; when
    two simultaneous posts both pass the check, the second one's insert meets the constraint:
    it is then this clear 409 with ``message``, never the database's IntegrityError (a 500).
    A savepoint: the caller's transaction stays usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as e:
        raise exists(message, field=field) from e


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
