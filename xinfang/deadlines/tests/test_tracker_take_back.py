"""The routing round after a take-back (取回, issue 20; ADR 0023): a hand-over to another
installation that never arrived, taken back by the office that made it. Pure: no database.

Planted faults: starting no T1 on ``take_back`` (the petition sat in ROUTING with no due
date); ``remaining`` counted from the original receipt instead of the hand-over (the office
would be overdue for the days the peer was down)."""

from __future__ import annotations

from datetime import date

from xinfang.deadlines.calendar import HolidayCalendar
from xinfang.deadlines.tracker import MET, OPEN, EventFact, Facts, next_due, track

D = date.fromisoformat
CHINA = HolidayCalendar()
PO, EXT = 1, 9  # the sending petition office; an organ another installation serves
AT_PO = Facts(received_at_petition_office=True)


def ev(action: str, on: str, organ: int, **data: object) -> EventFact:
    return EventFact(action, D(on), organ, data)


def _fold(*events: EventFact, round_: str = "remaining", floor: int = 5):  # type: ignore[no-untyped-def]
    return track(list(events), AT_PO, CHINA, take_back_round=round_, take_back_min_days=floor)


HANDOVER = (
    ev("receive", "2025-06-02", PO),  # T1 due 2025-06-17 (Tue)
    ev("transfer", "2025-06-06", EXT, to_external=True),  # 11 days left
)


def test_a_take_back_gives_the_office_the_days_its_limit_had_left_at_the_hand_over():
    out = _fold(*HANDOVER, ev("take_back", "2025-07-01", PO))
    t1 = [d for d in out if d.code == "T1"]
    assert [d.outcome for d in t1] == [MET, OPEN]
    assert t1[1].start == D("2025-07-01") and t1[1].owner_organ_id == PO
    assert t1[1].due == D("2025-07-14")  # 11 days from 1 July: Sat 12 July rolls to Mon 14
    assert next_due(out, PO) == D("2025-07-14")


def test_the_full_policy_gives_a_new_fifteen_days():
    out = _fold(*HANDOVER, ev("take_back", "2025-07-01", PO), round_="full")
    t1 = [d for d in out if d.code == "T1" and d.outcome == OPEN]
    assert t1[0].due == D("2025-07-16")


def test_an_office_that_handed_over_late_is_due_on_the_day_it_takes_back():
    late = (
        ev("receive", "2025-06-02", PO),
        ev("transfer", "2025-06-25", EXT, to_external=True),  # T1 ran out on 17 June
        ev("take_back", "2025-07-01", PO),
    )
    t1 = [d for d in _fold(*late, floor=0) if d.code == "T1" and d.outcome == OPEN]
    assert t1[0].due == D("2025-07-01")  # no floor: due that day


def test_a_hand_over_on_the_last_routing_day_still_leaves_the_floor_after_a_take_back():
    """revB #5: a hand-over made on the due day left 0 days; the office is not made to pay for
    the peer's outage: at least ``XINFANG_TAKE_BACK_MIN_DAYS`` (default 5) from the take-back."""
    on_the_day = (
        ev("receive", "2025-06-02", PO),  # T1 due 2025-06-17
        ev("transfer", "2025-06-17", EXT, to_external=True),  # 0 days left
        ev("take_back", "2025-07-01", PO),
    )
    t1 = [d for d in _fold(*on_the_day) if d.code == "T1" and d.outcome == OPEN]
    assert t1[0].start == D("2025-07-01") and t1[0].due == D("2025-07-07")  # Sun 6 rolls to Mon 7
    more = [d for d in _fold(*on_the_day, floor=8) if d.code == "T1" and d.outcome == OPEN]
    assert more[0].due == D("2025-07-09")


def test_the_days_left_are_counted_from_the_due_date_before_it_rolled_past_rest_days():
    """revB #5: T1 from Fri 2025-06-06 runs to Sat 21 June, rolled to Mon 23; a hand-over on
    Fri 20 June left 1 day the law gave, not the 3 of the rolled date."""
    rolled = (
        ev("receive", "2025-06-06", PO),
        ev("transfer", "2025-06-20", EXT, to_external=True),
        ev("take_back", "2025-07-01", PO),
    )
    t1 = [d for d in _fold(*rolled, floor=0) if d.code == "T1" and d.outcome == OPEN]
    assert t1[0].due == D("2025-07-02")


def test_nothing_runs_while_the_hand_over_waits_and_a_new_transfer_meets_the_new_round():
    waiting = _fold(*HANDOVER)
    assert not [d for d in waiting if d.outcome == OPEN]
    out = _fold(*HANDOVER, ev("take_back", "2025-07-01", PO), ev("transfer", "2025-07-02", 3))
    t1 = [d for d in out if d.code == "T1"]
    assert [d.outcome for d in t1] == [MET, MET] and t1[1].closed_on == D("2025-07-02")
