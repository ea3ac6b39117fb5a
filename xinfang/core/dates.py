"""Days typed into a form or a query string, read one way everywhere (PURE: no Django).

A day is ``YYYY-MM-DD`` in ASCII digits, what an ``<input type="date">`` sends, spaces around it
ignored, empty meaning "not given". Nothing else is a day: ``date.fromisoformat`` alone would
also take ``20260101``, ``2026-W01-1`` or full-width digits, and a day such as ``9999-12-31``
whose next day, the end of a range, does not exist (an ``OverflowError``: a 500). So days lie
within ``FIRST_DAY`` .. ``LAST_DAY``.

The pages keep their own messages: ``core.day_params`` turns ``BadDay`` and ``ReversedDays``
into the 400 each page words its own way; a day out of range (``DayOutOfRange``) gets the one
message that says so, everywhere (``core.day_params.out_of_range_message``).
"""

from __future__ import annotations

import re
from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadDay(ValueError):
    """Not a day written as ``YYYY-MM-DD`` between ``FIRST_DAY`` and ``LAST_DAY``."""


class DayOutOfRange(BadDay):
    """A day written as ``YYYY-MM-DD`` that exists but lies outside ``FIRST_DAY`` ..
    ``LAST_DAY`` (9999-12-31): not a format error, and the pages say so (fixui item 4)."""


class ReversedDays(ValueError):
    """A range whose first day lies after its last: it would select nothing, and a page's
    empty answer would read as "there is nothing" (walker report item 5)."""


def day_of(text: str | None) -> date | None:
    """The day ``text`` names, None when it is empty or only spaces; ``BadDay`` otherwise (a
    NUL byte, a day that does not exist such as 2026-02-30, any other form of writing it)."""
    s = (text or "").strip()
    if not s:
        return None
    if len(s) != 10 or not _DAY.fullmatch(s):
        raise BadDay(s[:20])
    try:
        d = date.fromisoformat(s)
    except ValueError:
        raise BadDay(s) from None
    if not FIRST_DAY <= d <= LAST_DAY:
        raise DayOutOfRange(s)
    return d


def days_in_order(first: date | None, last: date | None) -> None:
    """Refuse ``first > last`` (``ReversedDays``); either may be missing."""
    if first is not None and last is not None and first > last:
        raise ReversedDays(f"{first} > {last}")
