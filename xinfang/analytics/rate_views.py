"""The rates page (regulation.md §8.2) and the drill-down to the petitions behind a figure.
Every figure is ``n / d = rate``, with both counts linking to their petitions."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from xinfang.analytics.query import (
    FILTER_KEYS,
    ReversedRange,
    in_order,
    month,
    only_known,
    range_refused,
)
from xinfang.analytics.rate_selectors import (
    BY,
    BY_LABELS,
    DUE_LABELS,
    METRIC_LABELS,
    OUTCOME_LABELS,
    Cursor,
    Filters,
    drill_down,
    due_by_organ,
    due_drill,
    rate_figures,
    rates_as_of,
)
from xinfang.analytics.rates import RATES, STAGES, Metric
from xinfang.core import clock
from xinfang.core.dbrouter import reads_from_replica
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.core.once import token_new

RATES_KEYS = FILTER_KEYS | {"by"}
_ALL: frozenset[str] = frozenset()  # a stage's drill-down: every row (outcome "days")
DRILL_KEYS = FILTER_KEYS | {"metric", "outcome", "after"}
#: A drill-down page's cursor in its URL: ``YYYY-MM-DD.petition.row`` (``rate_selectors.Cursor``).
AFTER = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\.([0-9]{1,18})\.([0-9]{1,18})")


def _filters(request: HttpRequest, known: frozenset[str]) -> Filters:
    only_known(request.GET, known)
    return filters_from(request.GET)


def drill_outcomes(g) -> list[str]:  # type: ignore[no-untyped-def]
    """The drill-down's outcomes; one it does not know is a 400, not a list of all of them."""
    outcomes = g.getlist("outcome")
    if any(o not in OUTCOME_LABELS for o in outcomes):
        raise ApplicationError(gettext("没有这种结果"), code="bad_outcome", status=400,
                               fields={"outcome": [gettext("没有这种结果")]})
    return outcomes


def filters_from(g) -> Filters:  # type: ignore[no-untyped-def]
    """A figure's filters from a query string (the drill-down and its 台账 export)."""
    organ = g.get("organ") or None
    if organ is not None and not is_digits(organ):
        raise ApplicationError(gettext("机关参数无效"), code="bad_organ", status=400)
    for k in ("region", "channel", "category"):
        if len(g.get(k, "")) > 20 or "\x00" in g.get(k, ""):
            raise ApplicationError(gettext("参数无效"), code="bad_param", status=400)
    month_from = month(g.get("month_from"), "month_from")
    month_to = month(g.get("month_to"), "month_to")
    in_order(month_from, month_to, "month_from")  # the drill-down and its 台账: a 400
    return Filters(
        month_from=month_from,
        month_to=month_to,
        organ_id=int(organ) if organ else None,
        region_id=g.get("region") or None,
        channel=g.get("channel") if "channel" in g else None,
        category=g.get("category") if "category" in g else None,
    )


def _links(f: Filters, by: str):  # type: ignore[no-untyped-def]
    """``url(metric, outcomes, key)``: the drill-down of one figure, the page's filters narrowed
    to the line's key (None: the total line). The page links every figure (4 tables and the
    stages × every line × each outcome): the parts every link shares are encoded once, each
    line's key once (issue 16: the page's Python must not grow with its links)."""
    ym = lambda d: d.strftime("%Y-%m") if d else None  # noqa: E731
    params: dict[str, object] = {
        "month_from": ym(f.month_from), "month_to": ym(f.month_to), "organ": f.organ_id,
        "region": f.region_id, "channel": f.channel, "category": f.category,
    }
    own = ("month_from", "month_to") if by == "month" else (by,)
    common = urlencode([(k, str(v)) for k, v in params.items() if v is not None and k not in own])
    total = urlencode([(k, str(params[k])) for k in own if params[k] is not None])
    base = reverse("analytics:drill") + "?"
    keys: dict[object, str] = {}
    heads: dict[tuple[str, frozenset[str]], str] = {}

    def url(metric: str, outcomes: frozenset[str], key: object) -> str:
        head = heads.get((metric, outcomes))
        if head is None:
            head = heads[(metric, outcomes)] = base + urlencode(
                [("metric", metric), *(("outcome", o) for o in sorted(outcomes))])
        if key is None:
            tail = total
        elif (tail := keys.get(key)) is None:  # type: ignore[assignment]
            tail = keys[key] = urlencode(
                [("month_from", ym(key)), ("month_to", ym(key))] if by == "month"
                else [(by, str(key))])
        return "&".join(x for x in (head, common, tail) if x)

    return url


def _due_url(organ_id: int, due: str) -> str:
    return f"{reverse('analytics:due')}?organ={organ_id}&due={due}"


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def rates(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by") or "organ"
    if by not in BY:
        raise ApplicationError(gettext("没有这种分组"), code="bad_by", status=400)
    try:
        f = _filters(request, RATES_KEYS)
    except ReversedRange as e:
        return range_refused(request, e, title=gettext("考核指标"), kind="month",
                             names=("month_from", "month_to"))
    user = request.user
    tables = []
    figures, stages = rate_figures(user=user, by=by, filters=f)  # type: ignore[arg-type]
    url = _links(f, by)
    for metric in RATES:
        num, den = RATES[metric]
        lines = figures[metric]
        outs = [(o, frozenset({o}), OUTCOME_LABELS[o]) for o in sorted(den)]
        tables.append({
            "metric": metric.value,
            "label": METRIC_LABELS[metric],
            "lines": [
                {"line": ln, "n_url": url(metric, num, ln.key), "d_url": url(metric, den, ln.key),
                 "parts": [(label, ln.counts.get(o, 0), url(metric, one, ln.key))
                           for o, one, label in outs]}
                for ln in lines
            ],
            "parts": [label for _o, _one, label in outs],
        })
    stage_rows = [
        {"label": s.label, "cells": [
            (*s.stages[m.value], url(m.value, _ALL, None if s.key == "__all__" else s.key))
            for m in STAGES]}
        for s in stages
    ]
    today = clock.today()
    due = [{"line": d, "overdue_url": _due_url(d.organ_id, "overdue"),
            "soon_url": _due_url(d.organ_id, "due_soon")}
           for d in due_by_organ(user=user, today=today)]  # type: ignore[arg-type]
    return render(request, "analytics/rates.html", {
        "tables": tables,
        "stages": stage_rows,
        "stage_metrics": [(m.value, METRIC_LABELS[m]) for m in STAGES],
        "due": due,
        "by": by,
        "by_choices": list(BY_LABELS.items()),
        "filters": f,
        "as_of": rates_as_of(),
    })


def drill_after(g) -> Cursor | None:  # type: ignore[no-untyped-def]
    """Where the page asked for starts (``after``); None: the first page. Anything else: 400."""
    value = g.get("after")
    if not value:
        return None
    m = AFTER.fullmatch(value)
    try:
        if m is None:
            raise ValueError(value)
        return date(int(m[1]), int(m[2]), int(m[3])), int(m[4]), int(m[5])
    except ValueError:
        raise ApplicationError(gettext("分页参数无效"), code="bad_after", status=400) from None


@login_required
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def drill(request: HttpRequest) -> HttpResponse:
    metric = request.GET.get("metric", "")
    f = _filters(request, DRILL_KEYS)
    outcomes = drill_outcomes(request.GET)
    after = drill_after(request.GET)
    rows, total, nxt = drill_down(user=request.user, metric=metric, outcomes=outcomes or None,  # type: ignore[arg-type]
                                  filters=f, after=after)
    query, next_url, first_url = _pager(
        request, None if nxt is None else f"{nxt[0].isoformat()}.{nxt[1]}.{nxt[2]}", after
    )
    return render(request, "analytics/drill.html", {
        "rows": rows,
        "total": total,
        "next_url": next_url,
        "first_url": first_url,
        "metric_label": METRIC_LABELS[Metric(metric)],
        "outcomes": [OUTCOME_LABELS[o] for o in outcomes],
        "filters": f,
        "as_of": rates_as_of(),
        "query": query.urlencode(),  # the figure (no page): its 台账 holds every row
        "once": token_new(),
    })



def _pager(request: HttpRequest, nxt: str | None, after: object) -> tuple[QueryDict, str | None, str | None]:
    """A keyset list's query without its cursor, the next page's URL (``nxt`` the cursor of the
    page after this one) and the first page's URL (when this is not the first page)."""
    query = request.GET.copy()
    query.pop("after", None)
    next_url = first_url = None
    if nxt is not None:
        query["after"] = nxt
        next_url = "?" + query.urlencode()
        query.pop("after")
    if after is not None:
        first_url = "?" + query.urlencode()
    return query, next_url, first_url

DUE_KEYS = frozenset({"organ", "due", "after"})
#: An open-petitions page's cursor in its URL: ``YYYY-MM-DD.petition``.
DUE_AFTER = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\.([0-9]{1,18})")


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """The open petitions behind a figure of the rates page's open-petitions table: an organ's
    overdue or due-soon petitions, as its worklist lists them, within the reader's statistics
    gate (de-identified). Read from the primary: the figure is that of the moment."""
    only_known(request.GET, DUE_KEYS)
    organ, what = request.GET.get("organ", ""), request.GET.get("due", "")
    if not is_digits(organ) or len(organ) > 18:
        raise ApplicationError(gettext("机关参数无效"), code="bad_organ", status=400)
    if what not in DUE_LABELS:
        raise ApplicationError(gettext("没有这种期限状态"), code="bad_due", status=400)
    after = None
    if value := request.GET.get("after"):
        m = DUE_AFTER.fullmatch(value)
        try:
            if m is None:
                raise ValueError(value)
            after = (date(int(m[1]), int(m[2]), int(m[3])), int(m[4]))
        except ValueError:
            raise ApplicationError(gettext("分页参数无效"), code="bad_after", status=400) from None
    rows, total, nxt = due_drill(user=request.user, organ_id=int(organ), due=what,  # type: ignore[arg-type]
                                 today=clock.today(), after=after)
    _query, next_url, first_url = _pager(
        request, None if nxt is None else f"{nxt[0].isoformat()}.{nxt[1]}", after
    )
    return render(request, "analytics/due.html", {
        "rows": rows, "total": total, "next_url": next_url, "first_url": first_url,
        "label": DUE_LABELS[what],
        "organ": rows[0].organ if rows else None,
    })
