"""Staff exports of the petition list: parse the filters, call the export service, send the file."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xinfang.core.day_params import day_param, days_ordered
from xinfang.core.dbrouter import reads_from_replica
from xinfang.petitions.exports import petition_export
from xinfang.petitions.selectors import list_filters_check


def _date(text: str | None, field: str) -> date | None:
    return day_param(
        text, field=field, message=gettext("日期格式有误"), hint=gettext("请按 年-月-日 填写")
    )


def _dates(q) -> tuple[date | None, date | None]:  # type: ignore[no-untyped-def]
    first, last = (
        _date(q.get("received_from"), "received_from"),
        _date(q.get("received_to"), "received_to"),
    )
    days_ordered(first, last, field="received_from", message=gettext("起始日期晚于截止日期"))
    return first, last


def export_response(f) -> HttpResponse:  # type: ignore[no-untyped-def]
    r = HttpResponse(f.content, content_type=f.content_type)
    r["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    r["Cache-Control"] = "no-store"
    return r


@login_required
@require_GET
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def export_petitions(request: HttpRequest, fmt: str) -> HttpResponse:
    q = request.GET
    # a value no select offers is refused at its filter, as the other exports do (fixui item 3)
    list_filters_check(
        {k: q.get(k) for k in ("state", "category", "channel", "flag")}
        | {"region": q.get("region_code")},
        region_param="region_code",
    )
    received_from, received_to = _dates(q)
    f = petition_export(
        user=request.user,  # type: ignore[arg-type]
        fmt=fmt,
        state=q.get("state") or None,
        category=q.get("category") or None,
        channel=q.get("channel") or None,
        region_code=q.get("region_code") or None,
        received_from=received_from,
        received_to=received_to,
        flag=q.get("flag") or None,
    )
    return export_response(f)
