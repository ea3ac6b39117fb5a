"""A day from a form or a query string, refused in the words of the page that asked
(``core.dates`` reads it; this module only words the refusal).

Each page passes its own messages, translated when it asks (the request's language):
``day_param`` raises the ``ApplicationError`` (a 400) that the page shows; ``day_field`` adds
the message to the form's ``errors`` at the field, as the forms of reception, prevention and
resolution collect them.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext

from xinfang.core.dates import (
    FIRST_DAY,
    LAST_DAY,
    BadDay,
    DayOutOfRange,
    ReversedDays,
    day_of,
    days_in_order,
)
from xinfang.core.errors import ApplicationError


def out_of_range_message() -> str:
    """What every page and the API say of a day such as 9999-12-31 (not a format error)."""
    return gettext("日期超出范围：须在 %(first)s 至 %(last)s 之间") % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def day_param(
    text: str | None,
    *,
    field: str,
    message: str,
    hint: str | None = None,
    code: str = "invalid",
) -> date | None:
    """The day in ``text`` (None when empty); a bad one raises ``ApplicationError(message)``
    with ``hint`` (or the message) at ``field``."""
    try:
        return day_of(text)
    except DayOutOfRange:
        message = hint = out_of_range_message()
        raise ApplicationError(message, code=code, status=400, fields={field: [hint]}) from None
    except BadDay:
        raise ApplicationError(
            message, code=code, status=400, fields={field: [hint or message]}
        ) from None


def day_field(
    text: str | None,
    *,
    field: str,
    errors: dict[str, list[str]],
    message: str,
    required: str | None = None,
) -> date | None:
    """The day in ``text``, or None with ``message`` added to ``errors[field]`` (and, when
    ``required`` is given, that message for an empty one)."""
    try:
        d = day_of(text)
    except DayOutOfRange:
        errors.setdefault(field, []).append(out_of_range_message())
        return None
    except BadDay:
        errors.setdefault(field, []).append(message)
        return None
    if d is None and required is not None:
        errors.setdefault(field, []).append(required)
    return d


def days_ordered(
    first: date | None, last: date | None, *, field: str, message: str, code: str = "reversed_range"
) -> None:
    """Refuse a range whose first day lies after its last: ``ApplicationError(message)`` at
    ``field`` (the first day's)."""
    try:
        days_in_order(first, last)
    except ReversedDays:
        raise ApplicationError(message, code=code, status=400, fields={field: [message]}) from None
