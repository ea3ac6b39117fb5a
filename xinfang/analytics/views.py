"""The analysts' drill-down page: de-identified counts only."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.analytics.selectors import matters_count_for_user, statistics_for_user
from xinfang.core.dbrouter import reads_from_replica


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def summary(request: HttpRequest) -> HttpResponse:
    received_from = _date(request.GET.get("received_from"))
    received_to = _date(request.GET.get("received_to"))
    stats = statistics_for_user(
        user=request.user,  # type: ignore[arg-type]
        received_from=received_from,
        received_to=received_to,
    )
    return render(
        request,
        "analytics/summary.html",
        {
            "stats": stats,
            "received_from": received_from,
            "received_to": received_to,
            "matters": matters_count_for_user(
                user=request.user,  # type: ignore[arg-type]
                received_from=received_from,
                received_to=received_to,
                petitions=stats.total,
            ),
        },
    )
