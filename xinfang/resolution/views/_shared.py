"""What the resolution pages share: the capability check, parsing (bad input is a 400 with a
clear message, never a 500), the form's one-time key."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import Cap
from xinfang.resolution.access import require


def need(request: HttpRequest, cap: Cap) -> None:
    require(request.user, cap)  # type: ignore[arg-type]


def parse_date(value: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    """An optional date; a malformed one is an error on ``field``."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.setdefault(field, []).append(gettext("日期格式应为 年-月-日"))
        return None


def parse_int(value: str | None, *, field: str = "") -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ApplicationError(gettext("参数有误：%(f)s") % {"f": field or value[:20]})
    return int(value)


def one_time_key(request: HttpRequest) -> str:
    """The key a form posts back (the models' ``submission``): the posted one, or new."""
    posted = (request.POST.get("submission") or "").strip() if request.method == "POST" else ""
    try:
        return str(uuid.UUID(posted))
    except ValueError:
        return str(uuid.uuid4())
