"""The analysts' drill-down page: de-identified counts only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from xinfang.analytics.query import ReversedRange, day, in_order, only_known, range_refused
from xinfang.analytics.selectors import matters_count_for_user, statistics_for_user
from xinfang.core.dbrouter import reads_from_replica


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def summary(request: HttpRequest) -> HttpResponse:
    only_known(request.GET, ("received_from", "received_to"))
    received_from = day(request.GET.get("received_from"), "received_from")
    received_to = day(request.GET.get("received_to"), "received_to")
    try:
        in_order(received_from, received_to, "received_from")
    except ReversedRange as e:
        return range_refused(request, e, title=gettext("统计"), kind="date",
                             names=("received_from", "received_to"))
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
