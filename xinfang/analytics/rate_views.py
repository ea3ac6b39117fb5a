"""The rates page (regulation.md §8.2) and the drill-down to the petitions behind a figure.
Every figure is ``n / d = rate``, with both counts linking to their petitions."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from xinfang.analytics.rate_selectors import (
    BY,
    BY_LABELS,
    METRIC_LABELS,
    OUTCOME_LABELS,
    Filters,
    drill_down,
    due_by_organ,
    rate_figures,
    rates_as_of,
)
from xinfang.analytics.rates import RATES, STAGES, Metric
from xinfang.core import clock
from xinfang.core.dbrouter import reads_from_replica
from xinfang.core.errors import ApplicationError
from xinfang.core.once import token_new


def _month(text: str | None, name: str) -> date | None:
    """``YYYY-MM`` (or a full date) to the first day of its month; bad input is a 400."""
    if not text:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise ApplicationError(gettext("月份格式应为 YYYY-MM"), code="bad_month", status=400,
                               fields={name: [gettext("月份格式应为 YYYY-MM")]}) from None


def _filters(request: HttpRequest) -> Filters:
    return filters_from(request.GET)


def filters_from(g) -> Filters:  # type: ignore[no-untyped-def]
    """A figure's filters from a query string (the drill-down and its 台账 export)."""
    organ = g.get("organ") or None
    if organ is not None and not organ.isdigit():
        raise ApplicationError(gettext("机关参数无效"), code="bad_organ", status=400)
    for k in ("region", "channel", "category"):
        if len(g.get(k, "")) > 20 or "\x00" in g.get(k, ""):
            raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
    return Filters(
        month_from=_month(g.get("month_from"), "month_from"),
        month_to=_month(g.get("month_to"), "month_to"),
        organ_id=int(organ) if organ else None,
        region_id=g.get("region") or None,
        channel=g.get("channel") if "channel" in g else None,
        category=g.get("category") if "category" in g else None,
    )


def _drill_url(metric: str, outcomes: frozenset[str], f: Filters, by: str, key: object) -> str:
    """The drill-down of one figure: the page's filters, narrowed to the line's key."""
    month = lambda d: d.strftime("%Y-%m") if d else None  # noqa: E731
    params: dict[str, object] = {
        "month_from": month(f.month_from), "month_to": month(f.month_to), "organ": f.organ_id,
        "region": f.region_id, "channel": f.channel, "category": f.category,
    }
    if key is not None:  # None: the total line
        if by == "month":
            params["month_from"] = params["month_to"] = month(key)
        else:
            params[by] = key
    q = [("metric", metric), *(("outcome", o) for o in sorted(outcomes))]
    q += [(k, str(v)) for k, v in params.items() if v is not None]
    return reverse("analytics:drill") + "?" + urlencode(q)


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def rates(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by") or "organ"
    if by not in BY:
        raise ApplicationError(gettext("没有这种分组"), code="bad_by", status=400)
    f = _filters(request)
    user = request.user
    tables = []
    figures, stages = rate_figures(user=user, by=by, filters=f)  # type: ignore[arg-type]
    for metric in RATES:
        num, den = RATES[metric]
        lines = figures[metric]
        tables.append({
            "metric": metric.value,
            "label": METRIC_LABELS[metric],
            "lines": [
                {"line": ln, "n_url": _drill_url(metric, num, f, by, ln.key),
                 "d_url": _drill_url(metric, den, f, by, ln.key),
                 "parts": [(OUTCOME_LABELS[o], ln.counts.get(o, 0)) for o in sorted(den)]}
                for ln in lines
            ],
            "parts": [OUTCOME_LABELS[o] for o in sorted(den)],
        })
    return render(request, "analytics/rates.html", {
        "tables": tables,
        "stages": stages,
        "stage_metrics": [(m.value, METRIC_LABELS[m]) for m in STAGES],
        "due": due_by_organ(user=user, today=clock.today()),  # type: ignore[arg-type]
        "by": by,
        "by_choices": list(BY_LABELS.items()),
        "filters": f,
        "as_of": rates_as_of(),
    })


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def drill(request: HttpRequest) -> HttpResponse:
    metric = request.GET.get("metric", "")
    outcomes = [o for o in request.GET.getlist("outcome") if o in OUTCOME_LABELS]
    f = _filters(request)
    rows, total = drill_down(user=request.user, metric=metric, outcomes=outcomes or None,  # type: ignore[arg-type]
                             filters=f)
    return render(request, "analytics/drill.html", {
        "rows": rows,
        "total": total,
        "metric_label": METRIC_LABELS[Metric(metric)],
        "outcomes": [OUTCOME_LABELS[o] for o in outcomes],
        "filters": f,
        "as_of": rates_as_of(),
        "query": request.GET.urlencode(),
        "once": token_new(),
    })
