"""What the prevention pages share: the capability check, parsing of dates and ids (bad input
is a 400 with a clear message, never a 500), the form's one-time key."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from xinfang.core.dates import BadDay, DayOutOfRange, day_of
from xinfang.core.day_params import day_field, out_of_range_message
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.directory.permissions import Cap
from xinfang.prevention.access import require


def need(request: HttpRequest, cap: Cap) -> None:
    require(request.user, cap)  # type: ignore[arg-type]


def parse_date(value: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    """A required date; a missing or malformed one is an error on ``field``."""
    return day_field(
        value,
        field=field,
        errors=errors,
        message=gettext("日期格式应为 年-月-日"),
        required=gettext("请填写日期"),
    )


def parse_month(value: str | None) -> date | None:
    """A screening cycle given as "2026-09" (or a date in it); a malformed one is a 400."""
    value = (value or "").strip()
    try:
        d = day_of(value + "-01" if len(value) == 7 else value)
    except DayOutOfRange:
        raise ApplicationError(out_of_range_message()) from None
    except BadDay:
        raise ApplicationError(gettext("排查周期格式应为 年-月，如 2026-09")) from None
    return d.replace(day=1) if d else None


def parse_int(value: str | None, *, field: str = "") -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_digits(value) or len(value) > 12:
        raise ApplicationError(gettext("参数有误：%(f)s") % {"f": field or value[:20]})
    return int(value)


def one_time_key(request: HttpRequest) -> str:
    """The key a form posts back (see the models' ``submission``): the posted one, or new."""
    posted = (request.POST.get("submission") or "").strip() if request.method == "POST" else ""
    try:
        return str(uuid.UUID(posted))
    except ValueError:
        return str(uuid.uuid4())


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    """A generated file (report, minutes, ledger) sent as an attachment; ``filename`` is ASCII."""
    r = HttpResponse(data, content_type=content_type)
    r["Content-Disposition"] = f'attachment; filename="{filename}"'
    return r
