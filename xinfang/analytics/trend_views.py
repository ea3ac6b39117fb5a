"""The trends page: each chart drawn by plotly's own JS (served from the installed package, no
CDN) beside the table of its numbers, so the page reads without JavaScript and a screen reader
reads the figures."""

from __future__ import annotations

import functools
from importlib import resources

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from xinfang.analytics.accountability import accountability_for_user
from xinfang.analytics.query import ReversedRange, in_order, only_known, range_refused
from xinfang.analytics.query import month as _month
from xinfang.analytics.reports import accountability_tables
from xinfang.analytics.trends import trends_for_user
from xinfang.core.dbrouter import reads_from_replica


# plotly.js sets style attributes as it draws (the SVG, the legend, the hover labels): this page
# alone also allows inline styles; scripts stay 'self' (the site's policy, config/settings).
@csp_update({"style-src": ["'unsafe-inline'"]})
@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def trends(request: HttpRequest) -> HttpResponse:
    only_known(request.GET, ("month_from", "month_to"))
    month_from = _month(request.GET.get("month_from"), "month_from")
    month_to = _month(request.GET.get("month_to"), "month_to")
    try:
        in_order(month_from, month_to, "month_from")
    except ReversedRange as e:
        return range_refused(request, e, title=gettext("趋势"), kind="month",
                             names=("month_from", "month_to"))
    t = trends_for_user(user=request.user, month_from=month_from, month_to=month_to)  # type: ignore[arg-type]
    months = [m.strftime("%Y-%m") for m in t.months]
    rows = [
        (m.strftime("%Y-%m"), [t.by_month_category[m].get(c, 0) for c, _ in t.categories],
         sum(t.by_month_category[m].values()))
        for m in t.months
    ]
    charts = {
        "chart-volume": {
            "data": [
                {"type": "bar", "name": label, "x": months,
                 "y": [t.by_month_category[m].get(c, 0) for m in t.months]}
                for c, label in t.categories
            ],
            "layout": {"barmode": "stack", "margin": {"t": 10}, "xaxis": MONTH_AXIS},
        },
        "chart-channels": {
            "data": [{"type": "pie", "labels": [lbl for _, lbl, _ in t.channels],
                      "values": [n for _, _, n in t.channels], "sort": False}],
            "layout": {"margin": {"t": 10}},
        },
        "chart-repeat": {
            "data": [
                {"type": "scatter", "mode": "lines+markers", "name": name,
                 "x": [m.strftime("%Y-%m") for m in t.first_repeat],
                 "y": [v[i] for v in t.first_repeat.values()]}
                for i, name in ((0, gettext("初次信访")), (1, gettext("重复信访")))
            ],
            "layout": {"margin": {"t": 10}, "xaxis": MONTH_AXIS},
        },
    }
    # Art. 41 items 1-3, the same tables as the report's (``reports.accountability_tables``)
    acc = accountability_for_user(user=request.user, month_from=month_from, month_to=month_to)  # type: ignore[arg-type]
    return render(request, "analytics/trends.html", {
        "t": t, "rows": rows, "charts": charts, "acc_tables": accountability_tables(acc),
        "month_from": month_from, "month_to": month_to,
    })


#: Months as the table beside the chart writes them ("2025-07"): as a category axis, not a date
#: axis, which plotly labels in its English locale ("Jul 2025") whatever the page's language.
MONTH_AXIS = {"type": "category"}


@functools.cache
def _plotly_bytes() -> bytes | None:
    try:
        return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@require_GET
@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js as the installed ``plotly`` package ships it (offline: no CDN); read once."""
    data = _plotly_bytes()
    if data is None:
        raise Http404("plotly is not installed")
    return HttpResponse(data, content_type="text/javascript; charset=utf-8")
