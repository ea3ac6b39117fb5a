"""The rate rows of every petition in SQL (``INSERT ... SELECT``), for the full build.

The same rows ``rates.timeline`` gives petition by petition (regulation.md §8.2; the table of
``analytics.rates`` says which), written straight into ``RateFact`` (counting on the day of the
build; a limit still running with its last day in ``until``) and ``RatePending`` (counting from
the day after ``since``), without reading a petition into Python. One text for PostgreSQL and
SQLite; only the day arithmetic differs (:class:`Dialect`). The tests compare it with the
petition-by-petition result (``analytics.facts``) on both databases.

Steps in sequence order are paired in SQL with window functions: a stage's length runs from the
latest start before its end, unless another end came between (``_pairs``), as the loop of
``rates._stage_days`` pairs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from xinfang.analytics.rates import ANSWERS, NO_ACCEPTANCE, STATUTORY_ROUTES, Metric

#: The columns both tables share, in this order (``until`` / ``since`` follow).
COLUMNS = (
    "petition_id",
    "current_organ_id",
    "accused_organ_id",
    "region_id",
    "channel",
    "category",
    "metric",
    "organ_id",
    "month",
    "outcome",
    "days",
)
#: feedback.selectors: the steps that are themselves the handling answer; the decision
#: documents whose delivery opens a stage, and the step that decides each.
HANDLING_ANSWERS = ("reply", "settle", "channel", "redirect", "not_accept")
DELIVERED = {
    "opinion": ("handling", "issue_opinion"),
    "review_opinion": ("review", "decide_review"),
    "re_review_opinion": ("re_review", "decide_re_review"),
}


def _in(values: object) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Dialect:
    vendor: str
    tz: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_/+\-]+", self.tz):
            raise ValueError(f"time zone {self.tz!r}")

    def local(self, col: str) -> str:
        """The local day of a stored instant."""
        if self.vendor == "postgresql":
            return f"(({col}) AT TIME ZONE '{self.tz}')::date"
        return f"django_datetime_cast_date({col}, '{self.tz}', 'UTC')"

    def plus(self, day: str, n: int) -> str:
        if self.vendor == "postgresql":
            return f"(({day}) + {int(n)})"
        return f"date({day}, '{int(n):+d} days')"

    def month(self, day: str) -> str:
        if self.vendor == "postgresql":
            return f"date_trunc('month', {day})::date"
        return f"date({day}, 'start of month')"

    def days(self, since: str, until: str) -> str:
        """Whole days from ``since`` to ``until``, never below 0."""
        if self.vendor == "postgresql":
            return f"GREATEST(0, ({until}) - ({since}))"
        return f"MAX(0, CAST(julianday({until}) - julianday({since}) AS INTEGER))"

    def text(self, col: str, key: str) -> str:
        if self.vendor == "postgresql":
            return f"({col} ->> '{key}')"
        return f"json_extract({col}, '$.{key}')"

    def true(self, col: str, key: str) -> str:
        """The JSON value at ``key`` is true (``data.to_external``)."""
        if self.vendor == "postgresql":
            return f"(({col} ->> '{key}') = 'true')"
        return f"(json_extract({col}, '$.{key}') = 1)"


@dataclass(frozen=True)
class Tables:
    petition: str
    event: str
    deadline: str
    evaluation: str


class Build:
    """The statements of one build: ``statements()`` gives ``(sql, params)`` to run in order."""

    def __init__(self, d: Dialect, t: Tables, *, fact: str, pending: str, as_of: date,
                 acceptance_days: int, window_days: int) -> None:  # fmt: skip
        self.d, self.t, self.fact, self.pending = d, t, fact, pending
        self.as_of = as_of if d.vendor == "postgresql" else as_of.isoformat()
        self.acc, self.window = acceptance_days, window_days

    # -- pieces -----------------------------------------------------------------------------

    def keys(self) -> str:
        return (
            "p.id, p.current_organ_id, COALESCE(p.accused_organ_id, 0), p.region_id, "
            "p.channel, COALESCE(p.category, '')"
        )

    def steps(self, where: str) -> str:
        """Steps as ``pid, seq, organ_id, on_day, data``."""
        return (
            f"SELECT e.petition_id AS pid, e.seq AS seq, e.organ_id AS organ_id, "
            f"{self.d.local('e.occurred_at')} AS on_day, e.data AS data "
            f"FROM {self.t.event} e WHERE {where}"
        )

    def first_ack(self) -> str:
        return self.steps(
            f"e.action = 'acknowledge' AND NOT EXISTS (SELECT 1 FROM {self.t.event} x "
            "WHERE x.petition_id = e.petition_id AND x.action = 'acknowledge' AND x.seq < e.seq)"
        )

    def _pairs(self, starts: str, ends: str) -> str:
        """Each end with the day of the latest start before it, unless another end came
        between: ``pid, seq, organ_id, on_day, data, since``."""
        frame = "PARTITION BY u.pid ORDER BY u.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
        return (
            "SELECT x.pid, x.seq, x.organ_id, x.on_day, x.data, s.on_day AS since FROM ("
            "SELECT u.pid, u.seq, u.k, u.organ_id, u.on_day, u.data, "
            f"MAX(CASE WHEN u.k = 's' THEN u.seq END) OVER ({frame}) AS s_seq, "
            f"MAX(CASE WHEN u.k = 'e' THEN u.seq END) OVER ({frame}) AS e_seq "
            f"FROM (SELECT s0.pid, s0.seq, s0.organ_id, s0.on_day, s0.data, 's' AS k FROM ({starts}) s0 "
            f"UNION ALL SELECT e0.pid, e0.seq, e0.organ_id, e0.on_day, e0.data, 'e' AS k FROM ({ends}) e0) u"
            f") x JOIN ({starts}) s ON s.pid = x.pid AND s.seq = x.s_seq "
            "WHERE x.k = 'e' AND (x.e_seq IS NULL OR x.e_seq < x.s_seq)"
        )

    def reviews(self, request: str, decide: str) -> str:
        return self._pairs(
            self.steps(f"e.action = '{request}'"), self.steps(f"e.action = '{decide}'")
        )

    def insert(self, table: str, select: str, last: str = "") -> str:
        cols = ", ".join(COLUMNS) + (f", {last}" if last else "")
        return f"INSERT INTO {table} ({cols}) {select}"

    def not_statutory(self) -> str:
        return (
            f"(p.route IS NULL OR p.route NOT IN ({', '.join(map(str, sorted(STATUTORY_ROUTES)))})) "
            f"AND NOT EXISTS (SELECT 1 FROM {self.t.event} r WHERE r.petition_id = p.id "
            "AND r.action = 'refer_legal')"
        )

    # -- the statements ---------------------------------------------------------------------

    def statements(self) -> list[tuple[str, list[object]]]:
        d, t = self.d, self.t
        out: list[tuple[str, list[object]]] = []
        received = d.local("p.received_at")
        due = d.plus(received, self.acc)
        P = f"{t.petition} p"

        # 及时受理率 (accepted: on time or late), and received -> acceptance notice
        out.append(
            (
                self.insert(
                    self.fact,
                    (
                        f"SELECT {self.keys()}, '{Metric.ACCEPT}', COALESCE(a.organ_id, p.current_organ_id), "
                        f"{d.month(due)}, CASE WHEN a.on_day <= {due} THEN 'on_time' ELSE 'late' END, 0, NULL "
                        f"FROM {P} JOIN ({self.first_ack()}) a ON a.pid = p.id"
                    ),
                    "until",
                ),
                [],
            )
        )
        out.append(
            (
                self.insert(
                    self.fact,
                    (
                        f"SELECT {self.keys()}, '{Metric.DAYS_NOTICE}', COALESCE(a.organ_id, p.current_organ_id), "
                        f"{d.month('a.on_day')}, 'days', {d.days(received, 'a.on_day')}, NULL "
                        f"FROM {P} JOIN ({self.first_ack()}) a ON a.pid = p.id"
                    ),
                    "until",
                ),
                [],
            )
        )
        # not accepted and no acceptance owed elsewhere: overdue once the due day has passed
        # ... and not handed out (rates._handed_out): the last transfer/assign/take_back is a
        # hand-over to another installation (issue 20), not taken back since (revA 1)
        handed_out = (
            f"SELECT CASE WHEN h.action <> 'take_back' AND {d.true('h.data', 'to_external')} "
            f"THEN 1 ELSE 0 END FROM {t.event} h WHERE h.petition_id = p.id "
            "AND h.action IN ('transfer', 'assign', 'take_back') ORDER BY h.seq DESC LIMIT 1"
        )
        unaccepted = (
            f"FROM {P} WHERE NOT EXISTS (SELECT 1 FROM {t.event} x WHERE "
            f"x.petition_id = p.id AND x.action IN ({_in({'acknowledge', *NO_ACCEPTANCE})})) "
            f"AND COALESCE(({handed_out}), 0) = 0"
        )
        overdue = (
            f"SELECT {self.keys()}, '{Metric.ACCEPT}', p.current_organ_id, {d.month(due)}, "
            f"'overdue', 0, "
        )
        out.append(
            (
                self.insert(self.fact, f"{overdue}NULL {unaccepted} AND {due} < %s", "until"),
                [self.as_of],
            )
        )
        out.append(
            (
                self.insert(self.pending, f"{overdue}{due} {unaccepted} AND {due} >= %s", "since"),
                [self.as_of],
            )
        )

        # 按期办结率: each handling limit T6 not voided
        t6 = (
            f"FROM {t.deadline} l JOIN {P} ON p.id = l.petition_id WHERE l.code = 'T6' "
            "AND l.outcome <> 'void' AND l.owner_organ_id IS NOT NULL"
        )
        limit = f"SELECT {self.keys()}, '{Metric.COMPLETE}', l.owner_organ_id, {d.month('l.due_date')}, "
        out.append(
            (
                self.insert(
                    self.fact,
                    (
                        f"{limit}CASE WHEN l.closed_on IS NOT NULL AND l.closed_on > l.due_date THEN 'late' "
                        f"ELSE 'on_time' END, 0, NULL {t6} AND l.outcome = 'met'"
                    ),
                    "until",
                ),
                [],
            )
        )
        out.append(
            (
                self.insert(
                    self.fact,
                    (f"{limit}'overdue', 0, NULL {t6} AND l.outcome <> 'met' AND l.due_date < %s"),
                    "until",
                ),
                [self.as_of],
            )
        )
        out.append(
            (
                self.insert(
                    self.fact,
                    (
                        f"{limit}'running', 0, l.due_date {t6} AND l.outcome <> 'met' AND l.due_date >= %s"
                    ),
                    "until",
                ),
                [self.as_of],
            )
        )
        out.append(
            (
                self.insert(
                    self.pending,
                    (
                        f"{limit}'overdue', 0, l.due_date {t6} AND l.outcome <> 'met' AND l.due_date >= %s"
                    ),
                    "since",
                ),
                [self.as_of],
            )
        )

        # 满意率: every evaluation, unless the matter went a statutory route
        out.append(
            (
                self.insert(
                    self.fact,
                    (
                        f"SELECT {self.keys()}, '{Metric.SATISFY}', v.organ_id, {d.month(d.local('v.created_at'))}, "
                        "CASE v.rating WHEN 'satisfied' THEN 'satisfied' WHEN 'basically_satisfied' THEN 'basic' "
                        f"ELSE 'dissatisfied' END, 0, NULL FROM {t.evaluation} v JOIN {P} ON p.id = v.petition_id "
                        f"WHERE {self.not_statutory()}"
                    ),
                    "until",
                ),
                [],
            )
        )

        # 参评率: each stage's window (its latest opening), evaluated, or expired after its last day
        doc = d.text("e.data", "document")
        stage_of = " ".join(f"WHEN '{k}' THEN '{s}'" for k, (s, _a) in DELIVERED.items())
        decider = " ".join(f"WHEN '{k}' THEN '{a}'" for k, (_s, a) in DELIVERED.items())
        by = (
            f"x.petition_id = e.petition_id AND x.seq < e.seq AND x.action = "
            f"CASE {doc} {decider} END"
        )
        openings = (
            f"SELECT e.petition_id AS pid, e.seq AS seq, 'handling' AS stage, e.organ_id AS organ_id, "
            f"{d.local('e.occurred_at')} AS on_day FROM {t.event} e WHERE e.action IN "
            f"({_in(HANDLING_ANSWERS)}) AND e.organ_id IS NOT NULL "
            f"UNION ALL SELECT e.petition_id, e.seq, CASE {doc} {stage_of} END, "
            f"(SELECT x.organ_id FROM {t.event} x WHERE {by} ORDER BY x.seq DESC LIMIT 1), "
            f"{d.local('e.occurred_at')} FROM {t.event} e WHERE e.action = 'record_delivery' "
            f"AND {doc} IN ({_in(DELIVERED)}) AND EXISTS (SELECT 1 FROM {t.event} x WHERE {by})"
        )
        latest = (
            f"SELECT w0.pid, w0.stage, w0.organ_id, w0.on_day FROM (SELECT o.*, ROW_NUMBER() "
            f"OVER (PARTITION BY o.pid, o.stage ORDER BY o.seq DESC) AS rn FROM ({openings}) o) w0 "
            "WHERE w0.rn = 1 AND w0.organ_id IS NOT NULL"
        )
        closes = d.plus("w.on_day", self.window)
        rated = (
            f"EXISTS (SELECT 1 FROM {t.evaluation} v WHERE v.petition_id = w.pid "
            "AND v.stage = w.stage)"
        )
        window = f"FROM {P} JOIN ({latest}) w ON w.pid = p.id WHERE {self.not_statutory()}"
        head = f"SELECT {self.keys()}, '{Metric.EVALUATE}', w.organ_id, {d.month(closes)}, "
        out.append(
            (
                self.insert(self.fact, f"{head}'evaluated', 0, NULL {window} AND {rated}", "until"),
                [],
            )
        )
        out.append(
            (
                self.insert(
                    self.fact,
                    (f"{head}'expired', 0, NULL {window} AND NOT {rated} AND {closes} < %s"),
                    "until",
                ),
                [self.as_of],
            )
        )
        out.append(
            (
                self.insert(
                    self.pending,
                    (f"{head}'expired', 0, {closes} {window} AND NOT {rated} AND {closes} >= %s"),
                    "since",
                ),
                [self.as_of],
            )
        )

        # days per stage: acceptance -> answer (again after a review ordering it redone),
        # review and re-review requests -> their decisions
        review = self.reviews("request_review", "decide_review")
        redo = (
            f"SELECT rv.pid, rv.seq, rv.organ_id, rv.on_day, rv.data FROM ({review}) rv "
            f"WHERE {d.text('rv.data', 'outcome')} = 'redo'"
        )
        answer_starts = (
            f"SELECT a0.pid, a0.seq, a0.organ_id, a0.on_day, a0.data FROM "
            f"({self.first_ack()}) a0 UNION ALL {redo}"
        )
        answers = self.steps(f"e.action IN ({_in(ANSWERS)})")
        for metric, pairs in (
            (Metric.DAYS_ANSWER, self._pairs(answer_starts, answers)),
            (Metric.DAYS_REVIEW, review),
            (Metric.DAYS_RE_REVIEW, self.reviews("request_re_review", "decide_re_review")),
        ):
            out.append(
                (
                    self.insert(
                        self.fact,
                        (
                            f"SELECT {self.keys()}, '{metric}', COALESCE(s.organ_id, p.current_organ_id), "
                            f"{d.month('s.on_day')}, 'days', {d.days('s.since', 's.on_day')}, NULL "
                            f"FROM {P} JOIN ({pairs}) s ON s.pid = p.id"
                        ),
                        "until",
                    ),
                    [],
                )
            )
        return out
