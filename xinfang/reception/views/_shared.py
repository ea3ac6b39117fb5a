"""What the reception pages share: the capability check, parsing (bad input is a 400 with a
clear message, never a 500), the form's one-time key."""

from __future__ import annotations

import uuid
from datetime import date, time

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from xinfang.core.day_params import day_field
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.directory.permissions import Cap
from xinfang.reception.access import require


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


def parse_time(value: str | None, field: str, errors: dict[str, list[str]]) -> time | None:
    value = (value or "").strip()
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        pass
    errors.setdefault(field, []).append(gettext("时间格式应为 时:分"))
    return None


#: What a person reads for a parameter's internal name in "参数有误：…" (walker report item 11);
#: a view may pass the label itself (``field=gettext("带队领导")``).
LABELS = {
    "organ": gettext_lazy("机关"),
    "leader": gettext_lazy("接访领导"),
    "petition": gettext_lazy("信访事项"),
    "session": gettext_lazy("接访场次"),
    "visit": gettext_lazy("下访"),
    "owner": gettext_lazy("责任人"),
    "received_by": gettext_lazy("记录人"),
    "promise": gettext_lazy("承诺"),
    "days": gettext_lazy("天数"),
    "task": gettext_lazy("任务"),
    "people": gettext_lazy("视频接访"),
    "level": gettext_lazy("视频接访"),
}


def parse_int(value: str | None, *, field: str = "") -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_digits(value) or len(value) > 9:
        label = LABELS.get(field, field) or value[:20]
        raise ApplicationError(gettext("参数有误：%(f)s") % {"f": label})
    return int(value)


def one_time_key(request: HttpRequest) -> str:
    posted = (request.POST.get("submission") or "").strip() if request.method == "POST" else ""
    try:
        return str(uuid.UUID(posted))
    except ValueError:
        return str(uuid.uuid4())
