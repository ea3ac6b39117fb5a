"""The rates a leader or analyst reads (regulation.md §8.2), each with its numerator and
denominator, broken down by organ, region, channel, category or month, and the petitions
behind any figure.

* The gate is the statistics gate (``view_deidentified``): the figures read ``RateTally``
  under ``statistics_scope`` (jurisdiction and the accused-organ exclusion as conditions on its
  keys) less the rows of petitions naming the user; the drill-down reads ``RateFact`` of the
  petitions ``petition_queryset_for_statistics`` lets through. An accused organ never sees an
  accusation against it, not even as one in a denominator (Art. 30 para 3, Art. 46(5)).
* Lines are listed in the order of their key (organ tree, region code, month), never ranked by
  a figure (regulation.md §11; Art. 39 assesses resolution, not counts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.models import RateFact, RatesAsOf, RateTally
from xinfang.analytics.rates import MEDIAN, P90, RATES, STAGES, Metric, Rate, quantile, rate_of
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import Organ, Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Channel, Petition
from xinfang.petitions.selectors import (
    due_range,
    petition_queryset_for_statistics,
    petitions_naming,
    statistics_scope,
    worklist_due_by_organ,
)
from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS, Category, State

METRIC_LABELS = {
    Metric.ACCEPT: gettext_lazy("及时受理率"),
    Metric.COMPLETE: gettext_lazy("按期办结率"),
    Metric.SATISFY: gettext_lazy("满意率"),
    Metric.EVALUATE: gettext_lazy("参评率"),
    Metric.DAYS_NOTICE: gettext_lazy("登记至受理告知"),
    Metric.DAYS_ANSWER: gettext_lazy("受理至答复"),
    Metric.DAYS_REVIEW: gettext_lazy("复查"),
    Metric.DAYS_RE_REVIEW: gettext_lazy("复核"),
}
OUTCOME_LABELS = {
    "on_time": gettext_lazy("按期"),
    "late": gettext_lazy("超期"),
    "overdue": gettext_lazy("超期未办"),
    "running": gettext_lazy("未到期"),
    "satisfied": gettext_lazy("满意"),
    "basic": gettext_lazy("基本满意"),
    "dissatisfied": gettext_lazy("不满意"),
    "evaluated": gettext_lazy("已评价"),
    "expired": gettext_lazy("超期未评价"),
    "days": gettext_lazy("天数"),
}
BY = {"organ": "organ_id", "region": "region_id", "channel": "channel",
      "category": "category", "month": "month"}
BY_LABELS = {"organ": gettext_lazy("机关"), "region": gettext_lazy("地区"),
             "channel": gettext_lazy("渠道"), "category": gettext_lazy("类别"),
             "month": gettext_lazy("月份")}


@dataclass(frozen=True)
class Filters:
    month_from: date | None = None  # first day of a month
    month_to: date | None = None
    organ_id: int | None = None  # the organ a figure counts at
    region_id: str | None = None
    channel: str | None = None
    category: str | None = None

    def q(self) -> Q:
        q = Q()
        if self.month_from:
            q &= Q(month__gte=self.month_from)
        if self.month_to:
            q &= Q(month__lte=self.month_to)
        for name, field in (("organ_id", "organ_id"), ("region_id", "region_id"),
                            ("channel", "channel"), ("category", "category")):
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{field: value})
        return q


@dataclass(frozen=True)
class Line:
    key: object
    label: str
    counts: dict[str, int]
    rate: Rate


def _gate(user: User) -> Q | None:
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    return statistics_scope(user=user)


def _metric(metric: str) -> Metric:
    try:
        return Metric(metric)
    except ValueError:
        raise ApplicationError(gettext("没有这项指标"), code="bad_metric", status=400) from None


def rates_as_of() -> date | None:
    row = RatesAsOf.objects.order_by("-built_at").first()
    return row.as_of if row else None


def _counted_many(user: User, metrics: tuple[Metric, ...], filters: Filters,
                  by: tuple[str, ...]) -> dict[str, Counter]:  # type: ignore[type-arg]
    """Counts of the metrics' rows by ``by`` (field names), the user's scope only, in two
    queries whatever the number of metrics: the rollup grouped by metric and ``by``, less the
    rows of the petitions naming the user (read by petition: the ``ratefact_petition`` index)."""
    scope = _gate(user)
    out: dict[str, Counter] = {m.value: Counter() for m in metrics}  # type: ignore[type-arg]
    if scope is None:
        return out
    cond = scope & Q(metric__in=[m.value for m in metrics]) & filters.q()
    for row in RateTally.objects.filter(cond).values("metric", *by).annotate(k=Sum("n")).order_by():
        out[row["metric"]][tuple(row[f] for f in by)] += row["k"]
    named = RateFact.objects.filter(cond, petition_id__in=petitions_naming(user=user).values("id"))
    for row in named.values("metric", *by).annotate(k=Count("id")).order_by():
        out[row["metric"]][tuple(row[f] for f in by)] -= row["k"]
    return {m: +c for m, c in out.items()}


def _counted(user: User, metric: Metric, filters: Filters, by: tuple[str, ...]) -> Counter:  # type: ignore[type-arg]
    """Counts of the metric's rows by ``by`` (field names), the user's scope only."""
    return _counted_many(user, (metric,), filters, by)[metric.value]


def _check_by(by: str) -> None:
    if by not in BY:
        raise ApplicationError(gettext("没有这种分组"), code="bad_by", status=400)


def _rate_lines(m: Metric, counts: Counter, names: dict[object, tuple[str, tuple[str, str]]]) -> list[Line]:  # type: ignore[type-arg]
    per: dict[object, dict[str, int]] = defaultdict(dict)
    for (key, outcome), n in counts.items():
        per[key][outcome] = per[key].get(outcome, 0) + n
    lines = [Line(k, names[k][0], dict(c), rate_of(m, c)) for k, c in per.items()]
    lines.sort(key=lambda line: names[line.key][1])
    total: Counter[str] = Counter()
    for line in lines:
        total.update(line.counts)
    return [Line(None, gettext("合计"), dict(total), rate_of(m, total)), *lines]


def rate_lines(*, user: User, metric: str, by: str = "organ", filters: Filters = Filters()) -> list[Line]:
    """The metric per ``by`` (organ, region, channel, category, month), with a total line first."""
    m = _metric(metric)
    if m not in RATES:
        raise ApplicationError(gettext("没有这项指标"), code="bad_metric", status=400)
    _check_by(by)
    counts = _counted(user, m, filters, (BY[by], "outcome"))
    return _rate_lines(m, counts, _names(by, [k for k, _ in counts]))


def rate_figures(
    *, user: User, by: str = "organ", filters: Filters = Filters()
) -> tuple[dict[Metric, list[Line]], list[StageLine]]:
    """``rate_lines`` of every rate and ``stage_days`` (the rates page) in three queries
    whatever the data: the rollup grouped by metric, ``by``, outcome and days (a rate's rows
    have days 0, a stage's the outcome "days"), the rows of the petitions naming the user, and
    the labels of the keys."""
    _check_by(by)
    counted = _counted_many(user, (*RATES, *STAGES), filters, (BY[by], "outcome", "days"))
    rates: dict[str, Counter] = defaultdict(Counter)  # type: ignore[type-arg]
    stages: dict[str, Counter] = defaultdict(Counter)  # type: ignore[type-arg]
    for m, c in counted.items():
        for (key, outcome, days), n in c.items():
            if Metric(m) in RATES:
                rates[m][(key, outcome)] += n
            else:
                stages[m][(key, days)] += n
    names = _names(by, [k for c in counted.values() for k, _, _ in c])
    return (
        {m: _rate_lines(m, rates[m.value], names) for m in RATES},
        _stage_lines(stages, names),
    )


@dataclass(frozen=True)
class StageLine:
    key: object
    label: str
    stages: dict[str, tuple[int, int | None, int | None]]  # metric -> (n, median, p90)


def stage_days(*, user: User, by: str = "organ", filters: Filters = Filters()) -> list[StageLine]:
    """Median and 90th percentile of days per stage, per ``by``, with the total first."""
    _check_by(by)
    counted = _counted_many(user, STAGES, filters, (BY[by], "days"))
    return _stage_lines(counted, _names(by, [k for c in counted.values() for k, _ in c]))


def _stage_lines(counted: dict[str, Counter], names: dict) -> list[StageLine]:  # type: ignore[type-arg]
    hist: dict[object, dict[str, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    for m in STAGES:
        for (key, days), n in counted.get(m.value, Counter()).items():
            hist[key][m][days] += n
            hist["__all__"][m][days] += n
    keys = [k for k in hist if k != "__all__"]
    names = {**names, "__all__": (gettext("合计"), ("", ""))}

    def line(key: object) -> StageLine:
        return StageLine(key, names[key][0], {
            m.value: (sum(hist[key][m].values()), quantile(hist[key][m], MEDIAN),
                      quantile(hist[key][m], P90))
            for m in STAGES
        })

    keys.sort(key=lambda k: names[k][1])
    return [line("__all__"), *(line(k) for k in keys)] if hist else []


@dataclass(frozen=True)
class DueLine:
    organ_id: int
    organ: str
    overdue: int
    due_soon: int


def due_by_organ(*, user: User, today: date, organ_id: int | None = None) -> list[DueLine]:
    """Open petitions past their next due date and due within ``XINFANG_DUE_SOON_DAYS``, per
    organ holding them, over the petitions the user may count, as they are at the moment of
    reading: the very figures each organ's worklist shows (one definition, one rollup:
    ``petitions.selectors.worklist_due_by_organ`` over ``WorklistTally``, kept in the
    transaction of every change; the nearest open duty or window the holder must watch, so
    the T4 objection window the worklist counts is counted here too). It grows with organs
    and due days, not with petitions (issue 16). ``organ_id``: that organ's line only."""
    scope = _gate(user)
    if scope is None:
        return []
    got = worklist_due_by_organ(scope=scope, naming=petitions_naming(user=user), today=today,
                                organ_id=organ_id)
    organs = Organ.objects.filter(pk__in=list(got)).order_by("path").values_list("pk", "name")
    return [DueLine(pk, name, got[pk][0], got[pk][1]) for pk, name in organs]


#: The colours of the open-petitions table, as the worklist names them (``due`` filter).
DUE_LABELS = {"overdue": gettext_lazy("已超期"), "due_soon": gettext_lazy("即将到期")}

#: Where a page of open petitions ended: the last row's (next due date, petition).
DueCursor = tuple[date, int]


@dataclass(frozen=True)
class DueRow:
    petition_id: int
    tracking_code: str
    received: date
    channel: str
    category: str
    state: str
    organ: str
    due: date


def due_drill(
    *, user: User, organ_id: int, due: str, today: date, after: DueCursor | None = None,
    limit: int = 200,
) -> tuple[list[DueRow], int, DueCursor | None]:
    """One page of the open petitions behind a figure of the open-petitions table (``due``:
    ``overdue`` or ``due_soon`` at ``organ_id``), de-identified, within the user's statistics
    gate as it is now (jurisdiction, both accusation exclusions): what the organ's worklist
    lists under that filter, nearest due date first, by keyset (``petition_worklist`` index:
    a page costs the same whatever the organ holds). The total is the figure clicked."""
    if due not in DUE_LABELS:
        raise ApplicationError(gettext("没有这种期限状态"), code="bad_due", status=400)
    lines = due_by_organ(user=user, today=today, organ_id=organ_id)
    total = (lines[0].overdue if due == "overdue" else lines[0].due_soon) if lines else 0
    qs = petition_queryset_for_statistics(user=user).filter(
        due_range(due, today), current_organ_id=organ_id, is_open=True
    )
    if after is not None:
        qs = qs.filter(Q(next_due__gte=after[0])).filter(
            Q(next_due__gt=after[0]) | Q(next_due=after[0], pk__gt=after[1])
        )
    got = list(qs.order_by("next_due", "id").values_list(
        "pk", "tracking_code", "received_at", "channel", "category", "state",
        "current_organ__name", "next_due")[: limit + 1])
    nxt = (got[limit - 1][7], got[limit - 1][0]) if len(got) > limit else None
    channels = dict(Channel.choices)
    rows = [
        DueRow(pk, code, clock.local_date(at), gettext(str(channels.get(ch, ch))),
               gettext(str(CATEGORY_LABELS[Category(cat)])) if cat else gettext("未分类"),
               gettext(str(STATE_LABELS[State(st)])), organ, nd)
        for pk, code, at, ch, cat, st, organ, nd in got[:limit]
    ]
    return rows, total, nxt


@dataclass(frozen=True)
class DrillRow:
    petition_id: int
    tracking_code: str
    received: date
    channel: str
    category: str
    state: str
    organ: str
    outcome: str
    days: int | None


#: Rows on a page of the drill-down; the next page is asked for by where this one ended.
DRILL_PAGE = 200

#: Where a drill-down page ended: the last row's (month, petition, row id), the list's order.
Cursor = tuple[date, int, int]


def drill_counts(
    *, user: User, metric: str, outcomes: list[str] | None = None, filters: Filters = Filters()
) -> dict[str, int]:
    """How many rows the figure has, by outcome: read from the rollup as the rates page reads
    it (``RateTally`` less the rows of the petitions naming the user), so the drill-down's
    total is the figure that was clicked, never a count of every row."""
    counted = _counted(user, _metric(metric), filters, ("outcome",))
    return {o: n for (o,), n in counted.items() if n > 0 and (not outcomes or o in outcomes)}


def drill_down(
    *, user: User, metric: str, outcomes: list[str] | None = None, filters: Filters = Filters(),
    after: Cursor | None = None, limit: int = DRILL_PAGE,
) -> tuple[list[DrillRow], int, Cursor | None]:
    """One page of the petitions behind a figure (de-identified: no names, no content), within
    the user's statistics gate, in the order of month and petition: the rows after ``after``,
    how many there are in all (the figure, from the rollup), and where the next page starts
    (None: this is the last). Each outcome is read in the order of an index up to one row past
    the page (``ratefact_walk`` / ``ratefact_drill``), so a page costs the same at 10^7 as at
    10^4 and nothing counts every row."""
    counts = drill_counts(user=user, metric=metric, outcomes=outcomes, filters=filters)
    qs = drill_queryset(user=user, metric=metric, filters=filters)
    got: list[tuple] = []  # type: ignore[type-arg]
    for outcome in sorted(counts):
        page = qs.filter(outcome=outcome)
        if after is not None:
            page = page.filter(_after(after))
        got += page.order_by("month", "petition_id", "id").values_list(
            "month", "petition_id", "id", "organ__name", "outcome", "days")[: limit + 1]
    got.sort(key=lambda r: r[:3])
    nxt = got[limit - 1][:3] if len(got) > limit else None
    facts = [(pid, organ, outcome, days) for _m, pid, _i, organ, outcome, days in got[:limit]]
    return drill_rows(with_stage_days(metric, facts), user=user), sum(counts.values()), nxt


def _after(c: Cursor) -> Q:
    """The rows after ``c`` in the order (month, petition, id); the month bound alone lets the
    index start there."""
    month, pid, pk = c
    return Q(month__gte=month) & (
        Q(month__gt=month) | Q(month=month, petition_id__gt=pid) | Q(month=month, petition_id=pid, id__gt=pk)
    )


# A rate's rows carry no days (the rollup groups them by outcome alone); the days its drill-down
# shows are those of the stage the rate times, as the rates page's medians count them.
STAGE_OF = {Metric.ACCEPT.value: Metric.DAYS_NOTICE.value, Metric.COMPLETE.value: Metric.DAYS_ANSWER.value}


def with_stage_days(metric: str, facts: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    """``(petition, organ, outcome, days)`` facts of ``metric`` with the days of the stage it
    times (received → acceptance notice for 及时受理, acceptance → answer for 按期办结); None
    where the stage has not closed (not yet accepted, still running) or is not one stage
    (a matter answered twice after a redo), and for the rates that time nothing."""
    if metric not in RATES_BY_VALUE:
        return facts
    stage = STAGE_OF.get(metric)
    days: dict[int, list[int]] = defaultdict(list)
    if stage:
        for pid, d in RateFact.objects.filter(
            metric=stage, petition_id__in={f[0] for f in facts}
        ).values_list("petition_id", "days"):
            days[pid].append(d)
    return [
        (pid, organ, outcome, days[pid][0] if len(days.get(pid, ())) == 1 else None)
        for pid, organ, outcome, _ in facts
    ]


RATES_BY_VALUE = frozenset(m.value for m in RATES)


def drill_queryset(
    *, user: User, metric: str, outcomes: list[str] | None = None, filters: Filters = Filters(),
):  # type: ignore[no-untyped-def]
    """The ``RateFact`` rows behind a figure, within the user's statistics gate (the
    drill-down page and its 台账 export): exactly the rows the figure counted. The gate is
    applied to the keys the row carries (holding organ, accused organ: as of the rollup's last
    fold, as ``RateTally`` counts them), so the list, its pages and the file hold the figure
    that was clicked; a petition moved since is listed where the figure counted it until the
    next tick, without what the reader may no longer read (``drill_rows``). The accused organ never changes after registration, and the petitions naming
    the user are left out as they are now (Art. 30 para 3, Art. 46(5))."""
    m = _metric(metric)
    scope = _gate(user)
    if scope is None:
        return RateFact.objects.none()
    qs = RateFact.objects.filter(filters.q(), scope, metric=m.value).exclude(
        petition_id__in=petitions_naming(user=user).values("id")
    )
    if outcomes:
        qs = qs.filter(outcome__in=outcomes)
    return qs


def drill_rows(facts: list[tuple[int, str, str, int]], *, user: User | None = None) -> list[DrillRow]:
    """(petition, organ name, outcome, days) facts as de-identified rows (one query).

    ``user``: the reader. A row is listed where the rollup counted it (the keys as of its last
    fold, hourly), so the list holds exactly the figure clicked; a petition that has left the
    reader's statistics gate since (transferred to an organ outside it, objected back) is still
    listed for up to an hour, but as a line of the figure only: its tracking code, category and
    state, which the reader may no longer read, are not shown (``moved``)."""
    scope = statistics_scope(user=user) if user is not None else None
    qs = Petition.objects.filter(pk__in=[f[0] for f in facts]).only(
        "pk", "tracking_code", "received_at", "channel", "category", "state")
    if user is not None:
        qs = qs.annotate(here=Case(When(scope, then=Value(True)), default=Value(False),
                                   output_field=BooleanField()) if scope is not None else Value(False))
    ps = {p.pk: p for p in qs}
    channels = dict(Channel.choices)
    moved = gettext("已移出您的统计范围")
    out = []
    for pid, organ, outcome, days in facts:
        p = ps[pid]
        here = user is None or p.here  # type: ignore[attr-defined]
        out.append(DrillRow(
            pid, p.tracking_code if here else "", clock.local_date(p.received_at),
            gettext(str(channels.get(p.channel, p.channel))),  # the choices' labels are msgids
            (gettext(str(CATEGORY_LABELS[Category(p.category)])) if p.category else gettext("未分类"))
            if here else "—",
            gettext(str(STATE_LABELS[State(p.state)])) if here else moved,
            organ, str(OUTCOME_LABELS.get(outcome, outcome)), days,
        ))
    return out


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` (conditions on a petition's fields) as conditions on the petition of a related
    record (``prefix``: ``"petition__"``)."""
    children = [
        _prefixed(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children
    ]
    return Q(*children, _connector=q.connector, _negated=q.negated)


def _names(by: str, keys: list[object]) -> dict[object, tuple[str, tuple[str, str]]]:
    """Each key's label and its place in the order of lines (never a figure: organs by their
    place in the tree, the rest by key), in one query at most."""
    keys = list(dict.fromkeys(keys))
    if by == "organ":
        got = {pk: (name, path) for pk, name, path in
               Organ.objects.filter(pk__in=keys).values_list("pk", "name", "path")}
        return {k: (got.get(k, (str(k), ""))[0], (got.get(k, ("", ""))[1], str(k))) for k in keys}
    if by == "region":
        labels = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    elif by == "channel":
        # names in the reader's language (the choices hold the Chinese source words)
        labels = {k: gettext(str(dict(Channel.choices).get(k, k))) for k in keys}  # type: ignore[call-overload]
    elif by == "category":
        labels = {
            k: gettext(str(CATEGORY_LABELS[Category(k)])) if k else gettext("未分类") for k in keys  # type: ignore[arg-type]
        }
    else:
        labels = {k: k.strftime("%Y-%m") for k in keys}  # type: ignore[attr-defined]
    return {k: (labels.get(k, str(k)), ("", str(k))) for k in keys}
