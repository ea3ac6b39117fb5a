"""Staff exports of the petition list: parse the filters, call the export service, send the file."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xinfang.core.dbrouter import reads_from_replica
from xinfang.core.errors import ApplicationError
from xinfang.petitions.exports import petition_export


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise ApplicationError(
            gettext("日期格式有误"), fields={"received_from": [gettext("请按 年-月-日 填写")]}
        ) from e


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
    f = petition_export(
        user=request.user,  # type: ignore[arg-type]
        fmt=fmt,
        state=q.get("state") or None,
        category=q.get("category") or None,
        channel=q.get("channel") or None,
        region_code=q.get("region_code") or None,
        received_from=_date(q.get("received_from")),
        received_to=_date(q.get("received_to")),
        flag=q.get("flag") or None,
    )
    return export_response(f)
