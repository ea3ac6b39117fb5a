"""The lawful rates and their denominators (regulation.md §8.2), as pure functions.

PURE: imports no Django. A loader (``analytics.facts``) turns one petition into
:class:`PetitionFacts`; :func:`outcomes` turns those facts, on a given day, into the rows every
figure counts: one row per thing a rate counts, each with the organ it counts at, the month of
its cohort date and its outcome. A rate is then a count of rows with a numerator outcome over a
count of rows with a denominator outcome, always shown as ``n / d = rate`` (never a bare
percentage: §8.2 cautions, Art. 39 orients assessment to resolution, not counts).

========  ==============================  =====================================  ================
metric    counted at                      outcomes (numerator first)             cohort date
========  ==============================  =====================================  ================
accept    the organ that accepted it      on_time / late / overdue               acceptance due
(及时受理  (受理); not yet accepted: the    (accepted after the due date, or not
率)       organ holding it                accepted and the due date has passed)
complete  the organ owing the handling    on_time / late / overdue / running     deadline (T6)
(按期办结  limit T6 (each T6 a review                                            due date
率)       reopened counts once more)
satisfy   the organ evaluated             satisfied / basic / dissatisfied       evaluation date
(满意率)
evaluate  the organ evaluated             evaluated / expired                    window's last day
(参评率)
========  ==============================  =====================================  ================

* **及时受理**: accepted (the first ``acknowledge``: the written notice of acceptance,
  Art. 23) no later than the day received + ``acceptance_days`` (§8.2: registration + 30 days =
  15 (T1, Art. 22) + 15 (T3, Art. 23), calendar days, §5.3). The due day itself is on time.
  Items closed without an acceptance to owe (redirected, not accepted, referred to the
  political-legal or discipline organs: Arts. 22 para 2, 23) are not in the denominator. A
  petition transferred from organ A to organ B counts once, at B, which accepted it. A
  petition handed to an organ another installation serves (a transfer or an assignment
  marked ``to_external``, issue 20) owes no acceptance here either: it is accepted over there,
  on that installation's clock from its receipt (ADR 0018), and counted there, once; here it
  stays counted as transferred (the volumes), never as an acceptance overdue.
* **按期办结**: the handling limit T6 (Art. 34: 60 days from acceptance, at most 30 more with an
  extension) as the deadline tracker keeps it, extension included. §8.2 denominator: on time +
  late + not finished and overdue + not finished and not yet due, by deadline date. A review
  that orders the matter redone (Art. 35, ``redo``) starts a new T6: that new duty is counted in
  its own month; the first one keeps its outcome.
* **满意率**: 满意 + 基本满意 over all evaluations (§8.2: 基本满意 counts as satisfied), by
  evaluation date, at the organ evaluated. Items that went to litigation, arbitration, a party
  appeal or another administrative procedure (Art. 31(1)–(4)) or to the political-legal organs
  are excluded (§8.1: matters resolved by law through those routes; §8.2 ``sfssbz=0``).
* **参评率**: evaluated over evaluated + window expired unevaluated, by the window's last day
  (§8.2). An open window is not yet counted. Same exclusion as 满意率.
* **Days per stage** (median and 90th percentile): received → acceptance notice, acceptance →
  the answer (opinion, reply or settlement), review request → review opinion, re-review request
  → re-review opinion; counted at the organ that closed the stage, in the month it closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction


class Metric(StrEnum):
    ACCEPT = "accept"  # 及时受理率
    COMPLETE = "complete"  # 按期办结率
    SATISFY = "satisfy"  # 满意率
    EVALUATE = "evaluate"  # 参评率
    # days per stage (a distribution, not a rate)
    DAYS_NOTICE = "d_notice"  # 登记→受理告知
    DAYS_ANSWER = "d_answer"  # 受理→答复
    DAYS_REVIEW = "d_review"  # 复查
    DAYS_RE_REVIEW = "d_rereview"  # 复核


RATES: Mapping[Metric, tuple[frozenset[str], frozenset[str]]] = {
    # metric: (numerator outcomes, denominator outcomes)
    Metric.ACCEPT: (frozenset({"on_time"}), frozenset({"on_time", "late", "overdue"})),
    Metric.COMPLETE: (
        frozenset({"on_time"}),
        frozenset({"on_time", "late", "overdue", "running"}),
    ),
    Metric.SATISFY: (
        frozenset({"satisfied", "basic"}),
        frozenset({"satisfied", "basic", "dissatisfied"}),
    ),
    Metric.EVALUATE: (frozenset({"evaluated"}), frozenset({"evaluated", "expired"})),
}
STAGES = (Metric.DAYS_NOTICE, Metric.DAYS_ANSWER, Metric.DAYS_REVIEW, Metric.DAYS_RE_REVIEW)

#: Art. 31(1)-(4): litigation and the other statutory routes (excluded from 满意率, 参评率).
STATUTORY_ROUTES = frozenset({1, 2, 3, 4})
#: Steps that close an item with no acceptance owed (Arts. 22 para 2, 23), and the voiding of a
#: registration made by mistake or twice (Art. 21): a voided registration counts in no rate.
NO_ACCEPTANCE = frozenset({"redirect", "not_accept", "refer_legal", "refer_discipline", "void"})
ANSWERS = frozenset({"issue_opinion", "reply", "settle"})
RATINGS = {"satisfied": "satisfied", "basically_satisfied": "basic", "dissatisfied": "dissatisfied"}


@dataclass(frozen=True)
class Step:
    """One event of the petition: its action, the day it happened, the organ after it."""

    action: str
    on: date
    organ_id: int | None
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Duty:
    """One handling limit (T6) as the deadline tracker stored it."""

    owner_organ_id: int | None
    due: date
    outcome: str  # open | met | void | lapsed
    closed_on: date | None = None


@dataclass(frozen=True)
class Window:
    """One evaluation window: the stage answered, the organ evaluated, its last day."""

    stage: str
    organ_id: int
    closes: date


@dataclass(frozen=True)
class Rated:
    stage: str
    organ_id: int
    rating: str  # satisfied | basically_satisfied | dissatisfied
    on: date


@dataclass(frozen=True)
class PetitionFacts:
    petition_id: int
    received: date
    current_organ_id: int
    route: int | None = None
    steps: Sequence[Step] = ()
    duties: Sequence[Duty] = ()  # its T6 limits
    windows: Sequence[Window] = ()
    ratings: Sequence[Rated] = ()


@dataclass(frozen=True)
class Row:
    """One counted thing: a rate's outcome (``days`` 0), or a stage's length in days."""

    petition_id: int
    metric: str
    organ_id: int
    month: date  # first day of the cohort month
    outcome: str
    days: int = 0


def month_of(d: date) -> date:
    return d.replace(day=1)


def outcomes(f: PetitionFacts, *, as_of: date, acceptance_days: int = 30) -> list[Row]:
    """Every row petition ``f`` contributes to the figures on day ``as_of``."""
    return [r.row for r in timeline(f, acceptance_days=acceptance_days) if r.counts_on(as_of)]


@dataclass(frozen=True)
class Timed:
    """A row with the days it counts on: after ``since`` (None: from the start) up to and
    including ``until`` (None: for ever). Only the passing of days moves a row in or out: a
    row not yet due (overdue, window expired) has a ``since``; a limit still running has an
    ``until``, and its overdue row the same day as ``since``."""

    row: Row
    since: date | None = None
    until: date | None = None

    def counts_on(self, as_of: date) -> bool:
        return (self.since is None or as_of > self.since) and (
            self.until is None or as_of <= self.until
        )


def timeline(f: PetitionFacts, *, acceptance_days: int = 30) -> list[Timed]:
    """Every row petition ``f`` contributes on any day, with the days it counts on
    (``outcomes`` is this on one day: the rollup keeps the rows to come and lets days pass
    without reading the petition again)."""
    rows: list[Timed] = []
    add = rows.append
    pid = f.petition_id

    # 及时受理率
    due = f.received + timedelta(days=acceptance_days)
    ack = next((s for s in f.steps if s.action == "acknowledge"), None)
    if ack is not None:
        organ = ack.organ_id or f.current_organ_id
        out = "on_time" if ack.on <= due else "late"
        add(Timed(Row(pid, Metric.ACCEPT, organ, month_of(due), out)))
    elif not any(s.action in NO_ACCEPTANCE for s in f.steps) and not _handed_out(f):
        # overdue once the due day passed
        add(Timed(Row(pid, Metric.ACCEPT, f.current_organ_id, month_of(due), "overdue"), since=due))

    # 按期办结率
    for d in f.duties:
        if d.outcome == "void" or d.owner_organ_id is None:
            continue
        if d.outcome == "met":
            late = d.closed_on is not None and d.closed_on > d.due
            out = "late" if late else "on_time"
            add(Timed(Row(pid, Metric.COMPLETE, d.owner_organ_id, month_of(d.due), out)))
        else:  # running up to the due day, overdue after it
            row = Row(pid, Metric.COMPLETE, d.owner_organ_id, month_of(d.due), "running")
            add(Timed(row, until=d.due))
            add(
                Timed(
                    Row(pid, Metric.COMPLETE, d.owner_organ_id, month_of(d.due), "overdue"),
                    since=d.due,
                )
            )

    # 满意率, 参评率
    statutory = f.route in STATUTORY_ROUTES or any(s.action == "refer_legal" for s in f.steps)
    if not statutory:
        rated = {r.stage: r for r in f.ratings}
        for r in f.ratings:
            add(Timed(Row(pid, Metric.SATISFY, r.organ_id, month_of(r.on), RATINGS[r.rating])))
        for w in f.windows:
            if w.stage in rated:
                add(Timed(Row(pid, Metric.EVALUATE, w.organ_id, month_of(w.closes), "evaluated")))
            else:  # expired once its last day passed
                add(
                    Timed(
                        Row(pid, Metric.EVALUATE, w.organ_id, month_of(w.closes), "expired"),
                        since=w.closes,
                    )
                )

    # days per stage
    rows.extend(Timed(r) for r in _stage_days(f))
    return rows


def _handed_out(f: PetitionFacts) -> bool:
    """Its last hand-over went to another installation (issue 20): acceptance is owed there;
    unless it was taken back since (``take_back``): then it is owed here again."""
    sent = [s for s in f.steps if s.action in ("transfer", "assign", "take_back")]
    return bool(sent) and sent[-1].action != "take_back" and bool(sent[-1].data.get("to_external"))


def _stage_days(f: PetitionFacts) -> Iterable[Row]:
    start: dict[str, date] = {Metric.DAYS_NOTICE: f.received}
    for s in f.steps:
        organ = s.organ_id or f.current_organ_id
        if s.action == "acknowledge" and Metric.DAYS_NOTICE in start:
            yield _days(f, Metric.DAYS_NOTICE, start.pop(Metric.DAYS_NOTICE), s.on, organ)
            start[Metric.DAYS_ANSWER] = s.on
        elif s.action in ANSWERS and Metric.DAYS_ANSWER in start:
            yield _days(f, Metric.DAYS_ANSWER, start.pop(Metric.DAYS_ANSWER), s.on, organ)
        elif s.action == "request_review":
            start[Metric.DAYS_REVIEW] = s.on
        elif s.action == "decide_review" and Metric.DAYS_REVIEW in start:
            yield _days(f, Metric.DAYS_REVIEW, start.pop(Metric.DAYS_REVIEW), s.on, organ)
            if (s.data or {}).get("outcome") == "redo":
                start[Metric.DAYS_ANSWER] = s.on  # handled again: a new answer is owed
        elif s.action == "request_re_review":
            start[Metric.DAYS_RE_REVIEW] = s.on
        elif s.action == "decide_re_review" and Metric.DAYS_RE_REVIEW in start:
            yield _days(f, Metric.DAYS_RE_REVIEW, start.pop(Metric.DAYS_RE_REVIEW), s.on, organ)


def _days(f: PetitionFacts, metric: str, since: date, until: date, organ: int) -> Row:
    return Row(f.petition_id, metric, organ, month_of(until), "days", max(0, (until - since).days))


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``n / d = rate``; ``rate`` is None when nothing is due (0 / 0 is no rate at all)."""

    n: int
    d: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.n, self.d) if self.d else None

    def percent(self) -> str:
        return "—" if not self.d else f"{100 * self.n / self.d:.1f}%"

    def __str__(self) -> str:
        return f"{self.n} / {self.d} = {self.percent()}"


def rate_of(metric: str, counts: Mapping[str, int]) -> Rate:
    """The rate of ``metric`` from its outcome counts."""
    num, den = RATES[Metric(metric)]
    return Rate(
        sum(n for o, n in counts.items() if o in num),
        sum(n for o, n in counts.items() if o in den),
    )


def quantile(histogram: Mapping[int, int], q: Fraction) -> int | None:
    """The ``q`` quantile (nearest rank) of days given as ``{days: how many}``; None if empty.
    Nearest rank keeps the figure a real stage length, and lets a rollup of counts per day
    give exactly what sorting every length gives."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, -(-q.numerator * total // q.denominator))  # ceil(q * total)
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)  # pragma: no cover - rank <= total


MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)
