"""Which statutory deadlines an event starts, meets, voids, extends or pauses.

PURE: imports no Django. Deadlines are a projection of the append-only event log: folding the
events of one petition through :func:`track` gives every deadline instance it has ever had,
with its owner, start, due date and outcome. The service stores the result for the worklists;
changing a holiday override simply folds the events again over the new calendar.

Which event starts which limit (regulation.md §5.1, §6.2):

====================  =======================================================================
event                 effect
====================  =======================================================================
receive               at a 信访部门: start T1 (Art. 22); at any other organ: start T2 (Art. 23
                      para 2) unless the petitioner is anonymous (no duty without name/address)
transfer / assign     meet T1, T1a, T2, T3; start T3 (not for an anonymous item: Art. 23, nobody
                      to notify) and T4 for the receiving organ (Art. 23 para 3),
                      or, when it goes down to a lower petition office (Art. 22), T1a: that
                      office's share of the round's 15 days, never past the round's end
                      (:mod:`xinfang.deadlines.chain`);
                      assign also starts T5 with the report date set by the office (Art. 22(3));
                      to an organ another installation serves (``to_external``): nothing starts
                      here: the duty left with the petition and its clock runs there from its
                      receipt (Arts. 22 para 1, 23 para 3), as a transfer out of the organ closes
                      the sender's deadlines (issue 20)
object                meet T4, void T3 (the materials go back); the office that gets them back
                      starts a new round, T1 from the return (Art. 23 para 3: it decides on the
                      objection and routes again), so the item is never without a due date
objection_accept      the office routes again within that T1 (started now if none runs)
objection_reject      meet the office's T1 (it decided: the item stays with the organ); the T3
                      the objection voided runs again from the transfer (§6.2); no new T4: a
                      second objection is refused
acknowledge           meet T2/T3, void T4; route (6) starts T6 on this date (受理之日, Art. 34)
start_handling        route (6): start T6 if none runs (a safety net: the route is normally known
                      at acceptance, and T6 then runs from the acknowledgement, 受理之日)
extend                add the extension (≤ 30 days) to the running T6 (Art. 34)
settle / opinion /    meet T6
reply
redirect / not_accept meet T1, T1a, T2, T3; void T4
refer_*               meet T1, T1a, T2, T3; void T4
record_delivery       opinion delivered: start the petitioner's T7 window; review opinion
                      delivered: start T9 (Arts. 35, 36; both run from receipt); neither when
                      the petitioner already asked before the delivery was recorded
request_review        meet T7, start T8 for the review organ
decide_review         meet T8; "redo" starts a new T6 with the days the review organ set
request_re_review     meet T9, start T10 for the re-review organ
hearing_start / _end  pause / resume a running T10 (hearing time not counted, Art. 36 para 2)
decide_re_review      meet T10
report_result         meet T5
expire_window         the open T7 or T9 lapses (the petitioner did not use it)
reopen_window         a window recorded as lapsed was in fact still open on that day (its last
                      day was a rest day of a provisional year, shown by the confirmed notice):
                      the window runs again for ``days`` days from this event (ADR 0012)
take_back             a hand-over to another installation that never arrived, taken back by the
                      office that made it (issue 20): a new routing round (T1) for that office
                      from the take-back. Its length is a policy (``take_back_round``; the law
                      is silent): ``remaining`` (default, the petitioner's side) the days its
                      routing or notice limit still had when it handed the petition over, the
                      days the message waited counted neither against it nor given again;
                      ``full`` a new 15 days, as after an objection returns the materials
close                 void whatever is still open (nothing should be)
void                  a registration voided as a mistake or duplicate: void whatever is open
====================  =======================================================================

Two facts are added to every deadline after the fold (ADR 0012):

* ``provisional_years``: the years among the days its count looked at (``(start, due]``) that the
  calendar knows only provisionally (no notice confirmed, no ``chinese_calendar`` data). A
  deadline with any is *provisional*: its due date may still move.
* ``kept``: due dates kept when a year was confirmed (``(code, start) -> due``). A due date never
  moves earlier than a kept one, so no window is shortened and no organ is put in the wrong by a
  confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.chain import DEFAULT_POLICY, ChainPolicy, hop_due
from xinfang.deadlines.chain import round_end as chain_round_end
from xinfang.deadlines.statutes import STATUTES, Status, due_date, status_on

OPEN = "open"
MET = "met"
VOID = "void"  # no longer owed (e.g. the objection window once the organ has acknowledged)
LAPSED = "lapsed"  # a petitioner's window that ran out unused


@dataclass(frozen=True)
class EventFact:
    """What the tracker needs of one event."""

    action: str  # an Action value, or "receive" for the first event
    on: date  # the real date of the event (receipt date for deliveries and requests)
    organ_id: int | None  # the organ that holds the petition after the event
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """Static facts of the petition that decide which limits apply."""

    received_at_petition_office: bool
    anonymous: bool = False
    route6: bool = False  # 申诉求决类, Art. 31(6): the only route with T6 and the remedies


@dataclass(frozen=True)
class DeadlineFact:
    code: str
    owner_organ_id: int | None  # None for the petitioner's windows (T7, T9)
    start: date
    due: date
    outcome: str = OPEN  # open | met | void
    closed_on: date | None = None
    extension_days: int = 0
    paused_days: int = 0
    paused_since: date | None = None
    days: int | None = None  # explicit length (T5, redo T6, a reopened window)
    provisional_years: tuple[int, ...] = ()  # provisional years its count crossed (ADR 0012)
    kept: bool = False  # its due date is one kept when a year was confirmed

    @property
    def is_open(self) -> bool:
        return self.outcome == OPEN

    @property
    def provisional(self) -> bool:
        """Whether the due date rests on a provisional calendar year and may still move."""
        return bool(self.provisional_years)

    def status(self, today: date, *, due_soon_days: int = 3) -> Status:
        if self.outcome == LAPSED:
            return Status.EXPIRED
        st = STATUTES[self.code]
        return status_on(
            due=self.due,
            today=today,
            kind=st.kind,
            met=self.outcome == MET,
            void=self.outcome == VOID,
            paused=self.paused_since is not None,
            due_soon_days=due_soon_days,
        )

    @property
    def met_late(self) -> bool:
        return self.outcome == MET and self.closed_on is not None and self.closed_on > self.due


def hearing_days(start: date, end: date, *, inclusive: bool = True) -> int:
    """The calendar days a hearing from ``start`` to ``end`` took, not counted in T10 (听证所需
    时间不计算在前款规定的期限内, Art. 36 para 2). The law does not say how they are counted
    (regulation.md §5.1 T10); by default every day the hearing occupies counts, the first and
    the last included: a hearing held on one day is 1 day, 10-24 Feb is 15 days (setting
    ``XINFANG_HEARING_DAYS_INCLUSIVE``). Rest days count like any day: T10 is "30日", calendar
    days. An end before the start counts nothing."""
    if end < start:
        return 0
    return (end - start).days + (1 if inclusive else 0)


def track(
    events: Sequence[EventFact],
    facts: Facts,
    cal: WorkCalendar,
    *,
    roll_to_working_day: bool = True,
    kept: Mapping[tuple[str, date], date] | None = None,
    chain: ChainPolicy = DEFAULT_POLICY,
    hearing_days_inclusive: bool = True,
    take_back_round: str = "remaining",
    take_back_min_days: int = 5,
) -> list[DeadlineFact]:
    """Fold ``events`` (in order) into every deadline instance they produced.

    ``kept`` maps (code, start) to a due date kept when a calendar year was confirmed; the due
    date of that deadline is never earlier. ``chain`` holds the per-level shares of the routing
    limit (T1a); a transfer's event names the receiving office's level as ``to_level``.
    ``hearing_days_inclusive``: a hearing's days not counted in T10 (Art. 36 para 2) are every
    calendar day from its start to its end, both included (see :func:`hearing_days`).
    ``take_back_round``: the routing round after a ``take_back`` (``remaining`` or ``full``);
    under ``remaining`` never fewer than ``take_back_min_days`` days (revB #5)."""
    out: list[DeadlineFact] = []
    round_end: date | None = None  # the last day of the running routing round (T1)

    def due(code: str, start: date, **kw: int | None) -> date:
        return due_date(STATUTES[code], start, cal, roll_to_working_day=roll_to_working_day, **kw)

    def raw_due(d: DeadlineFact) -> date:
        if d.days is None and STATUTES[d.code].days is None:
            return d.due
        return due_date(
            STATUTES[d.code], d.start, cal, roll_to_working_day=False, days=d.days,
            paused_days=d.paused_days,
        )  # fmt: skip

    def start(code: str, on: date, owner: int | None, days: int | None = None) -> None:
        out.append(DeadlineFact(code, owner, on, due(code, on, days=days), days=days))

    def start_round(on: date, owner: int | None) -> date:
        start("T1", on, owner)
        return out[-1].due

    def start_share(on: date, owner: int | None, level: str | None, end: date) -> None:
        # T1a: the lower office's share, never past the round's end (chain rule 3).
        d = hop_due(
            received=on,
            level=level,
            end=end,
            policy=chain,
            cal=cal,
            roll_to_working_day=roll_to_working_day,
        )
        out.append(DeadlineFact("T1a", owner, on, d, days=chain.share(level)))

    def close(codes: tuple[str, ...], on: date, outcome: str) -> None:
        for i, d in enumerate(out):
            if d.code in codes and d.is_open:
                if d.paused_since is not None:  # a hearing still open counts until it closes
                    d = _resume(d, on)
                out[i] = replace(d, outcome=outcome, closed_on=on)

    def change(code: str, fn) -> None:  # type: ignore[no-untyped-def]
        for i, d in enumerate(out):
            if d.code == code and d.is_open:
                out[i] = fn(d)

    def _resume(d: DeadlineFact, on: date) -> DeadlineFact:
        assert d.paused_since is not None
        paused = d.paused_days + hearing_days(d.paused_since, on, inclusive=hearing_days_inclusive)
        return replace(
            d,
            paused_days=paused,
            paused_since=None,
            due=due(d.code, d.start, days=d.days, paused_days=paused),
        )

    used = {"T7": False, "T9": False}  # the window of the latest decision was already used
    # Days the sender's routing or notice limit had left at its latest external hand-over.
    left_at_handover: int | None = None
    for ev in events:
        a, on, organ = ev.action, ev.on, ev.organ_id
        if a == "issue_opinion":
            used["T7"] = False
        elif a == "request_review":
            used["T7"] = True
        elif a == "decide_review":
            used["T9"] = False
        elif a == "request_re_review":
            used["T9"] = True
        if a == "receive":
            if facts.received_at_petition_office:
                round_end = start_round(on, organ)
            elif not facts.anonymous:
                start("T2", on, organ)
        elif a in ("transfer", "assign"):
            if ev.data.get("to_external"):
                # counted from the due dates the law gave, before any roll past rest days
                # (a rolled date would hand back holiday days; revB #5)
                owed = [
                    min(d.due, raw_due(d))
                    for d in out
                    if d.code in ("T1", "T1a", "T2", "T3") and d.is_open
                ]
                left_at_handover = max((min(owed) - on).days, 0) if owed else None
            close(("T1", "T1a", "T2", "T3"), on, MET)
            close(("T4",), on, VOID)
            if ev.data.get("to_external"):
                # Handed to another installation: its own clock runs there from its receipt
                # (Arts. 22 para 1, 23 para 3); no duty of ours is left to count (issue 20).
                continue
            if ev.data.get("to_petition_office"):
                # a lower petition office routes it on (Art. 22) within its share of the round
                if round_end is None:  # the chain began at an organ that is no petition office
                    round_end = chain_round_end(on, cal, roll_to_working_day=roll_to_working_day)
                level = ev.data.get("to_level")
                start_share(on, organ, level if isinstance(level, str) else None, round_end)
            else:
                # Art. 23: the written notice is owed to a petitioner whose name and address are
                # known; for an anonymous item nobody can be told, so no T3 (as for T2).
                if not facts.anonymous:
                    start("T3", on, organ)
                start("T4", on, organ)
            if a == "assign":
                report_due = ev.data.get("report_due")
                if isinstance(report_due, date):
                    start("T5", on, organ, (report_due - on).days)
        elif a == "object":
            close(("T4",), on, MET)
            close(("T3",), on, VOID)
            # The materials go back (Art. 23 para 3): the office that sent them decides on the
            # objection and, if it agrees, routes again; a new round from the return.
            round_end = start_round(on, organ)
        elif a == "objection_accept":
            if not any(d.code in ("T1", "T1a") and d.is_open for d in out):
                round_end = start_round(on, organ)
        elif a == "objection_reject":
            close(("T1", "T1a"), on, MET)  # decided: the item stays with the organ
            # The item stays with the organ (regulation.md §6.2): the notice period keeps running
            # from the transfer as if no objection had been made, and no second objection window
            # opens (Art. 23 para 3), so a round of objections never delays the petitioner.
            for i in range(len(out) - 1, -1, -1):
                if out[i].code == "T3":
                    if out[i].outcome == VOID:
                        out[i] = replace(out[i], outcome=OPEN, closed_on=None)
                    break
        elif a == "acknowledge":
            close(("T2", "T3"), on, MET)
            close(("T4",), on, VOID)
            if facts.route6:
                start("T6", on, organ)
        elif a == "start_handling":
            if facts.route6 and not any(d.code == "T6" and d.is_open for d in out):
                start("T6", on, organ)
        elif a == "extend":
            days = _int(ev.data.get("days")) or 0
            change(
                "T6",
                lambda d, days=days: replace(
                    d,
                    extension_days=d.extension_days + days,
                    due=due("T6", d.start, days=d.days, extension_days=d.extension_days + days),
                ),
            )
        elif a in ("settle", "issue_opinion", "reply"):
            close(("T6",), on, MET)
        elif a in ("redirect", "not_accept", "refer_legal", "refer_discipline", "channel"):
            close(("T1", "T1a", "T2", "T3"), on, MET)
            close(("T4", "T6"), on, VOID)
        elif a == "record_delivery":
            # A delivery recorded after the petitioner already asked for review (or re-review)
            # is proof of receipt only: the window it would open has been used.
            document = ev.data.get("document")
            if document == "opinion" and not used["T7"]:
                start("T7", on, None)
            elif document == "review_opinion" and not used["T9"]:
                start("T9", on, None)
        elif a == "request_review":
            close(("T7",), on, MET)
            start("T8", on, organ)
        elif a == "decide_review":
            close(("T8",), on, MET)
            if ev.data.get("outcome") == "redo":
                start("T6", on, organ, _int(ev.data.get("redo_days")) or 60)
        elif a == "request_re_review":
            close(("T9",), on, MET)
            start("T10", on, organ)
        elif a == "hearing_start":
            change("T10", lambda d, on=on: replace(d, paused_since=on))
        elif a == "hearing_end":
            change("T10", lambda d, on=on: _resume(d, on) if d.paused_since is not None else d)
        elif a == "decide_re_review":
            close(("T10",), on, MET)
        elif a == "report_result":
            close(("T5",), on, MET)
        elif a == "expire_window":
            close(("T7", "T9"), on, LAPSED)
        elif a == "reopen_window":
            window = str(ev.data.get("window", ""))
            if window in ("T7", "T9"):
                start(window, on, None, _int(ev.data.get("days")) or STATUTES[window].days)
        elif a == "take_back":
            if take_back_round == "remaining" and left_at_handover is not None:
                # a floor: a hand-over on the last routing day would leave a round due at
                # once, the office paying for the other installation's outage (revB #5)
                start("T1", on, organ, max(left_at_handover, take_back_min_days))
                round_end = out[-1].due
            else:
                round_end = start_round(on, organ)
        elif a in ("close", "void"):
            close(tuple(STATUTES), on, VOID)
    return [_finish(d, cal, kept or {}) for d in out]


def _finish(
    d: DeadlineFact, cal: WorkCalendar, kept: Mapping[tuple[str, date], date]
) -> DeadlineFact:
    """Apply a kept due date, then name the provisional years the count crossed."""
    floor = kept.get((d.code, d.start))
    if floor is not None and floor > d.due:
        d = replace(d, due=floor, kept=True)
    years = getattr(cal, "provisional_years", None)
    if years is None:
        return d
    return replace(d, provisional_years=tuple(years(d.start, d.due)))


def _int(v: object) -> int | None:
    if v is None or v == "":
        return None
    return int(v)  # type: ignore[call-overload]


def next_due(deadlines: Sequence[DeadlineFact], organ_id: int | None) -> date | None:
    """The nearest open due date the holding organ must watch (its duties and open windows)."""
    dates = [
        d.due
        for d in deadlines
        if d.is_open and (d.owner_organ_id == organ_id or d.owner_organ_id is None)
    ]
    return min(dates) if dates else None


__all__ = [
    "MET",
    "OPEN",
    "VOID",
    "LAPSED",
    "DeadlineFact",
    "EventFact",
    "Facts",
    "Status",
    "next_due",
    "track",
]
