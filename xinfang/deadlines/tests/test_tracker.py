"""The fold of a petition's events into its deadlines (tracker.track), row by row of its table.

No Django, no database. Dates are real and use the State Council holiday arrangements through
chinese_calendar (HolidayCalendar()):

2025 Spring Festival  Jan 28 (Tue) – Feb 4 (Tue) off.
2025 Labour Day       May 1 (Thu) – May 5 (Mon) off; Apr 27 (Sun) working.
2025 National Day     Oct 1 (Wed) – Oct 8 (Wed) off (with Mid-Autumn); Sep 28 (Sun) and
                      Oct 11 (Sat) working.

"N日" are calendar days, "N个工作日" working days; the day of the event is not counted and a last
day on a rest day rolls to the next working day (the default policy, see
docs/decisions/0001-day-counting.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from xinfang.deadlines.calendar import HolidayCalendar
from xinfang.deadlines.statutes import Status
from xinfang.deadlines.tracker import (
    LAPSED,
    MET,
    OPEN,
    VOID,
    DeadlineFact,
    EventFact,
    Facts,
    next_due,
    track,
)

D = date.fromisoformat
CHINA = HolidayCalendar()

PO, CO, RO, RRO = 1, 2, 3, 4  # petition office, competent organ, review organ, re-review organ

AT_PO = Facts(received_at_petition_office=True)
AT_CO = Facts(received_at_petition_office=False)
ROUTE6_AT_PO = Facts(received_at_petition_office=True, route6=True)
ROUTE6_AT_CO = Facts(received_at_petition_office=False, route6=True)


def ev(action: str, on: str, organ: int | None, **data: object) -> EventFact:
    return EventFact(action, D(on), organ, data)


def fold(facts: Facts, *events: EventFact, **kw: object) -> list[DeadlineFact]:
    return track(list(events), facts, CHINA, **kw)  # type: ignore[arg-type]


def only(deadlines: list[DeadlineFact], code: str) -> DeadlineFact:
    found = [d for d in deadlines if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {found}"
    return found[0]


def codes(deadlines: list[DeadlineFact]) -> list[str]:
    return [d.code for d in deadlines]


# The first steps shared by many tests: received at the office, transferred on 30 September.
RECEIVE = ev("receive", "2025-09-20", PO)
REGISTER = ev("register", "2025-09-20", PO)
TRANSFER = ev("transfer", "2025-09-30", CO)


# --- receive ----------------------------------------------------------------------------------


def test_a_petition_received_at_a_petition_office_starts_t1_which_rolls_past_national_day() -> None:
    t1 = only(fold(AT_PO, RECEIVE, REGISTER), "T1")
    # 20 Sep + 15 days = 5 Oct, inside the National Day holiday (1–8 Oct): the 9th.
    assert (t1.start, t1.due, t1.owner_organ_id, t1.outcome) == (
        D("2025-09-20"),
        D("2025-10-09"),
        PO,
        OPEN,
    )


def test_t1_without_the_roll_over_policy_ends_on_the_holiday_itself() -> None:
    t1 = only(fold(AT_PO, RECEIVE, roll_to_working_day=False), "T1")
    assert t1.due == D("2025-10-05")


def test_a_petition_received_directly_by_a_competent_organ_starts_t2_past_the_spring_festival() -> (
    None
):
    deadlines = fold(AT_CO, ev("receive", "2025-01-20", CO))
    t2 = only(deadlines, "T2")
    # 20 Jan + 15 days = 4 Feb, the last day of the Spring Festival holiday: the 5th.
    assert (t2.due, t2.owner_organ_id) == (D("2025-02-05"), CO)
    assert "T1" not in codes(deadlines)


def test_an_anonymous_petition_received_directly_gets_no_t2_because_no_one_can_be_told() -> None:
    facts = Facts(received_at_petition_office=False, anonymous=True)
    assert fold(facts, ev("receive", "2025-01-20", CO)) == []


def test_an_anonymous_petition_at_a_petition_office_still_has_to_be_routed_within_t1() -> None:
    facts = Facts(received_at_petition_office=True, anonymous=True)
    assert codes(fold(facts, RECEIVE)) == ["T1"]


def test_registering_starts_and_meets_nothing() -> None:
    assert fold(AT_PO, RECEIVE, REGISTER) == fold(AT_PO, RECEIVE)


# --- transfer / assign ------------------------------------------------------------------------


def test_a_transfer_on_the_eve_of_national_day_gives_t4_five_working_days_after_the_holiday() -> (
    None
):
    deadlines = fold(AT_PO, RECEIVE, REGISTER, TRANSFER)
    t1, t3, t4 = only(deadlines, "T1"), only(deadlines, "T3"), only(deadlines, "T4")
    assert (t1.outcome, t1.closed_on) == (MET, D("2025-09-30"))
    # T3, 15 calendar days: 15 Oct. T4, 5 working days: 9, 10, 11 (a make-up Saturday), 13, 14.
    assert (t3.start, t3.due, t3.owner_organ_id) == (D("2025-09-30"), D("2025-10-15"), CO)
    assert (t4.start, t4.due, t4.owner_organ_id) == (D("2025-09-30"), D("2025-10-14"), CO)
    assert t3.is_open and t4.is_open


def test_an_assignment_also_starts_t5_with_the_report_date_the_office_set() -> None:
    assign = ev("assign", "2025-09-30", CO, report_due=D("2025-10-31"))
    deadlines = fold(AT_PO, RECEIVE, assign)
    t5 = only(deadlines, "T5")
    assert (t5.start, t5.due, t5.days, t5.owner_organ_id) == (
        D("2025-09-30"),
        D("2025-10-31"),
        31,
        CO,
    )
    assert {"T3", "T4"} <= set(codes(deadlines))
    assert only(deadlines, "T1").outcome == MET


def test_an_assignment_without_a_report_date_starts_no_t5() -> None:
    assert "T5" not in codes(fold(AT_PO, RECEIVE, ev("assign", "2025-09-30", CO)))


def test_a_competent_organ_that_transfers_a_direct_petition_down_its_system_meets_t2() -> None:
    deadlines = fold(AT_CO, ev("receive", "2025-01-20", CO), ev("transfer", "2025-01-22", 9))
    t2 = only(deadlines, "T2")
    assert (t2.outcome, t2.closed_on) == (MET, D("2025-01-22"))
    assert only(deadlines, "T3").owner_organ_id == 9


# --- object / objection_accept / objection_reject ---------------------------------------------

OBJECT = ev("object", "2025-10-09", PO)  # the materials go back to the office


def test_an_objection_meets_t4_and_voids_t3() -> None:
    deadlines = fold(AT_PO, RECEIVE, TRANSFER, OBJECT)
    assert (only(deadlines, "T4").outcome, only(deadlines, "T4").closed_on) == (
        MET,
        D("2025-10-09"),
    )
    assert only(deadlines, "T3").outcome == VOID


def test_an_accepted_objection_restarts_t1_at_the_office() -> None:
    deadlines = fold(AT_PO, RECEIVE, TRANSFER, OBJECT, ev("objection_accept", "2025-10-09", PO))
    first, second = (d for d in deadlines if d.code == "T1")
    assert first.outcome == MET
    assert (second.start, second.due, second.owner_organ_id, second.outcome) == (
        D("2025-10-09"),
        D("2025-10-24"),
        PO,
        OPEN,
    )


def test_a_rejected_objection_lets_the_first_t3_run_on_and_opens_no_second_objection_window() -> (
    None
):
    # Art. 23 para 3, regulation.md §6.2: the item stays with the organ; the notice period is
    # counted from the transfer, as if the objection had not been made (issue 10 §2 item 2).
    deadlines = fold(AT_PO, RECEIVE, TRANSFER, OBJECT, ev("objection_reject", "2025-10-09", CO))
    t3s = [d for d in deadlines if d.code == "T3"]
    t4s = [d for d in deadlines if d.code == "T4"]
    assert [(d.start, d.outcome, d.closed_on) for d in t3s] == [(TRANSFER.on, OPEN, None)]
    assert [d.outcome for d in t4s] == [MET]
    assert t3s[0].owner_organ_id == CO


def test_an_anonymous_transferred_item_starts_no_t3_but_keeps_the_objection_window() -> None:
    # Art. 23: nobody can be told of an anonymous item, as for T2 (issue 10 §2 item 6).
    anonymous = replace(AT_PO, anonymous=True)
    deadlines = fold(anonymous, RECEIVE, TRANSFER)
    assert [d.code for d in deadlines] == ["T1", "T4"]


def test_a_delivery_recorded_after_the_review_request_opens_no_window() -> None:
    # Arts. 35, 36: the petitioner already used the window (issue 10 §2 item 4).
    deadlines = fold(
        ROUTE6_AT_PO,
        ev("receive", "2025-02-20", PO),
        ev("issue_opinion", "2025-03-20", CO),
        ev("request_review", "2025-03-22", RO),
        ev("record_delivery", "2025-03-23", RO, document="opinion"),
    )
    assert [d.code for d in deadlines if d.code == "T7"] == []


# --- acknowledge / start_handling -------------------------------------------------------------


def test_acknowledging_meets_t3_voids_t4_and_starts_t6_on_the_acceptance_date() -> None:
    deadlines = fold(
        ROUTE6_AT_PO,
        ev("receive", "2025-02-20", PO),
        ev("transfer", "2025-02-25", CO),
        ev("acknowledge", "2025-03-03", CO),
    )
    assert only(deadlines, "T3").outcome == MET
    assert only(deadlines, "T4").outcome == VOID
    t6 = only(deadlines, "T6")
    # 3 Mar + 60 days = 2 May, inside the Labour Day holiday (1–5 May): the 6th.
    assert (t6.start, t6.due, t6.owner_organ_id) == (D("2025-03-03"), D("2025-05-06"), CO)


def test_acknowledging_a_direct_petition_meets_t2() -> None:
    deadlines = fold(AT_CO, ev("receive", "2025-01-20", CO), ev("acknowledge", "2025-01-27", CO))
    assert (only(deadlines, "T2").outcome, only(deadlines, "T2").closed_on) == (
        MET,
        D("2025-01-27"),
    )


def test_acknowledging_a_petition_outside_route_six_starts_no_t6() -> None:
    deadlines = fold(AT_PO, RECEIVE, TRANSFER, ev("acknowledge", "2025-10-09", CO))
    assert "T6" not in codes(deadlines)


def test_starting_to_handle_a_route_six_petition_starts_t6_when_none_runs() -> None:
    # A log where acceptance started no T6 (the fold alone; the service decides route6 once).
    deadlines = fold(ROUTE6_AT_PO, RECEIVE, TRANSFER, ev("start_handling", "2025-10-09", CO))
    t6 = only(deadlines, "T6")
    assert (t6.start, t6.due) == (D("2025-10-09"), D("2025-12-08"))


def test_starting_to_handle_does_not_start_a_second_t6() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        ev("receive", "2025-04-01", CO),
        ev("acknowledge", "2025-04-07", CO),
        ev("start_handling", "2025-04-10", CO),
    )
    assert only(deadlines, "T6").start == D("2025-04-07")


def test_starting_to_handle_a_petition_outside_route_six_starts_no_t6() -> None:
    deadlines = fold(AT_CO, ev("receive", "2025-04-01", CO), ev("start_handling", "2025-04-07", CO))
    assert "T6" not in codes(deadlines)


# --- extend -----------------------------------------------------------------------------------

ACCEPTED_0407 = (ev("receive", "2025-04-01", CO), ev("acknowledge", "2025-04-07", CO))


def test_t6_is_sixty_days_from_acceptance() -> None:
    assert only(fold(ROUTE6_AT_CO, *ACCEPTED_0407), "T6").due == D("2025-06-06")


def test_an_extension_of_thirty_days_ending_on_a_sunday_rolls_to_monday() -> None:
    deadlines = fold(ROUTE6_AT_CO, *ACCEPTED_0407, ev("extend", "2025-05-20", CO, days=30))
    t6 = only(deadlines, "T6")
    # 7 Apr + 60 + 30 days = Sunday 6 Jul: the Monday after.
    assert (t6.extension_days, t6.due, t6.start) == (30, D("2025-07-07"), D("2025-04-07"))


def test_an_extension_without_the_roll_over_policy_ends_on_the_sunday() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        *ACCEPTED_0407,
        ev("extend", "2025-05-20", CO, days=30),
        roll_to_working_day=False,
    )
    assert only(deadlines, "T6").due == D("2025-07-06")


def test_an_extension_changes_no_t6_when_none_runs() -> None:
    deadlines = fold(
        AT_CO, ev("receive", "2025-04-01", CO), ev("extend", "2025-05-20", CO, days=30)
    )
    assert "T6" not in codes(deadlines)


# --- settle / issue_opinion / reply ------------------------------------------------------------


@pytest.mark.parametrize("action", ["settle", "issue_opinion", "reply"])
def test_an_agreement_an_opinion_or_a_reply_meets_t6(action: str) -> None:
    deadlines = fold(ROUTE6_AT_CO, *ACCEPTED_0407, ev(action, "2025-06-05", CO))
    t6 = only(deadlines, "T6")
    assert (t6.outcome, t6.closed_on, t6.met_late) == (MET, D("2025-06-05"), False)
    assert t6.status(D("2025-06-30")) == Status.MET


def test_an_opinion_after_the_due_date_is_met_late() -> None:
    t6 = only(fold(ROUTE6_AT_CO, *ACCEPTED_0407, ev("issue_opinion", "2025-06-09", CO)), "T6")
    assert t6.outcome == MET and t6.met_late


def test_an_open_t6_past_its_due_date_is_overdue() -> None:
    t6 = only(fold(ROUTE6_AT_CO, *ACCEPTED_0407), "T6")
    assert t6.status(D("2025-06-06")) == Status.DUE_SOON
    assert t6.status(D("2025-06-07")) == Status.OVERDUE


# --- redirect / not_accept / refer_* / channel -------------------------------------------------

ENDINGS = ["redirect", "not_accept", "refer_legal", "refer_discipline", "channel"]


@pytest.mark.parametrize("action", ENDINGS)
def test_an_ending_at_the_office_meets_t1(action: str) -> None:
    t1 = only(fold(AT_PO, RECEIVE, ev(action, "2025-09-25", PO)), "T1")
    assert (t1.outcome, t1.closed_on) == (MET, D("2025-09-25"))


@pytest.mark.parametrize("action", ENDINGS)
def test_an_ending_at_the_organ_meets_t2(action: str) -> None:
    t2 = only(fold(AT_CO, ev("receive", "2025-01-20", CO), ev(action, "2025-01-22", CO)), "T2")
    assert t2.outcome == MET


@pytest.mark.parametrize("action", ENDINGS)
def test_an_ending_after_a_transfer_meets_t3_and_voids_t4(action: str) -> None:
    deadlines = fold(AT_PO, RECEIVE, TRANSFER, ev(action, "2025-10-09", CO))
    assert only(deadlines, "T3").outcome == MET
    assert only(deadlines, "T4").outcome == VOID


@pytest.mark.parametrize("action", ENDINGS)
def test_an_ending_after_acceptance_voids_a_running_t6(action: str) -> None:
    deadlines = fold(ROUTE6_AT_CO, *ACCEPTED_0407, ev(action, "2025-04-10", CO))
    assert (only(deadlines, "T6").outcome, only(deadlines, "T6").closed_on) == (
        VOID,
        D("2025-04-10"),
    )


# --- record_delivery --------------------------------------------------------------------------

OPINION = (*ACCEPTED_0407, ev("issue_opinion", "2025-06-05", CO))


def test_delivering_the_opinion_starts_the_petitioners_t7_window_from_receipt() -> None:
    deadlines = fold(
        ROUTE6_AT_CO, *OPINION, ev("record_delivery", "2025-06-09", CO, document="opinion")
    )
    t7 = only(deadlines, "T7")
    assert (t7.start, t7.due, t7.owner_organ_id) == (D("2025-06-09"), D("2025-07-09"), None)


def test_delivering_the_review_opinion_starts_the_petitioners_t9_window() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        ev("record_delivery", "2025-11-10", RO, document="review_opinion"),
    )
    t9 = only(deadlines, "T9")
    assert (t9.start, t9.due, t9.owner_organ_id) == (D("2025-11-10"), D("2025-12-10"), None)


def test_delivering_the_re_review_opinion_starts_nothing_because_it_is_final() -> None:
    deadlines = fold(
        ROUTE6_AT_CO, ev("record_delivery", "2025-11-10", RRO, document="re_review_opinion")
    )
    assert deadlines == []


# --- request_review / decide_review ------------------------------------------------------------

DELIVERED = (*OPINION, ev("record_delivery", "2025-06-09", CO, document="opinion"))


def test_a_review_request_meets_t7_and_starts_t8_for_the_review_organ() -> None:
    deadlines = fold(ROUTE6_AT_CO, *DELIVERED, ev("request_review", "2025-07-01", RO))
    assert (only(deadlines, "T7").outcome, only(deadlines, "T7").closed_on) == (
        MET,
        D("2025-07-01"),
    )
    t8 = only(deadlines, "T8")
    assert (t8.start, t8.due, t8.owner_organ_id) == (D("2025-07-01"), D("2025-07-31"), RO)


REVIEWING = (*DELIVERED, ev("request_review", "2025-07-01", RO))


@pytest.mark.parametrize("outcome", ["uphold", "vary"])
def test_a_review_decision_meets_t8_and_starts_no_new_handling(outcome: str) -> None:
    deadlines = fold(
        ROUTE6_AT_CO, *REVIEWING, ev("decide_review", "2025-07-25", RO, outcome=outcome)
    )
    assert only(deadlines, "T8").outcome == MET
    assert [d.outcome for d in deadlines if d.code == "T6"] == [MET]


def test_a_redo_starts_a_new_t6_of_the_days_the_review_organ_set() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        *REVIEWING,
        ev("decide_review", "2025-12-01", CO, outcome="redo", redo_days=30),
    )
    old, new = (d for d in deadlines if d.code == "T6")
    assert old.outcome == MET
    assert (new.start, new.days, new.due, new.owner_organ_id, new.outcome) == (
        D("2025-12-01"),
        30,
        D("2025-12-31"),
        CO,
        OPEN,
    )


def test_a_redo_without_set_days_gets_the_statutory_sixty() -> None:
    deadlines = fold(
        ROUTE6_AT_CO, *REVIEWING, ev("decide_review", "2025-07-25", CO, outcome="redo")
    )
    new = [d for d in deadlines if d.code == "T6"][-1]
    assert (new.days, new.due) == (60, D("2025-09-23"))


def test_a_redo_period_can_be_extended_too() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        *REVIEWING,
        ev("decide_review", "2025-12-01", CO, outcome="redo", redo_days=30),
        ev("extend", "2025-12-10", CO, days=10),
    )
    new = [d for d in deadlines if d.code == "T6"][-1]
    assert (new.extension_days, new.due) == (10, D("2026-01-12"))  # 10 Jan is a Saturday


# --- request_re_review / hearings / decide_re_review -------------------------------------------

RE_REVIEW = ev("request_re_review", "2025-11-05", RRO)
REVIEW_DELIVERED = ev("record_delivery", "2025-10-20", RO, document="review_opinion")


def test_a_re_review_request_meets_t9_and_starts_t10_for_the_re_review_organ() -> None:
    deadlines = fold(ROUTE6_AT_CO, REVIEW_DELIVERED, RE_REVIEW)
    assert only(deadlines, "T9").outcome == MET
    t10 = only(deadlines, "T10")
    assert (t10.start, t10.due, t10.owner_organ_id) == (D("2025-11-05"), D("2025-12-05"), RRO)


def test_a_hearing_of_10_to_20_november_is_not_counted_in_t10() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        RE_REVIEW,
        ev("hearing_start", "2025-11-10", RRO),
        ev("hearing_end", "2025-11-20", RRO),
    )
    t10 = only(deadlines, "T10")
    # 5 Dec + the 11 days the hearing occupied (10-20 Nov, both included) = Tuesday 16 Dec.
    assert (t10.paused_days, t10.paused_since, t10.due) == (11, None, D("2025-12-16"))


@pytest.mark.parametrize(
    ("inclusive", "days", "due"), [(True, 1, "2025-12-08"), (False, 0, "2025-12-05")]
)
def test_a_one_day_hearing_is_one_day_not_counted_unless_the_setting_says_otherwise(
    inclusive, days, due
) -> None:
    """Art. 36 para 2 excludes the time a hearing takes; a hearing held on one day took that
    day (default). 5 Dec + 1 = Saturday 6 Dec, rolled to Monday 8 Dec. The other reading
    (end minus start) counts nothing for it (``XINFANG_HEARING_DAYS_INCLUSIVE=false``)."""
    deadlines = fold(
        ROUTE6_AT_CO,
        RE_REVIEW,
        ev("hearing_start", "2025-11-10", RRO),
        ev("hearing_end", "2025-11-10", RRO),
        hearing_days_inclusive=inclusive,
    )
    t10 = only(deadlines, "T10")
    assert (t10.paused_days, t10.due) == (days, D(due))


def test_t10_is_paused_while_the_hearing_is_open() -> None:
    deadlines = fold(ROUTE6_AT_CO, RE_REVIEW, ev("hearing_start", "2025-11-10", RRO))
    t10 = only(deadlines, "T10")
    assert t10.paused_since == D("2025-11-10")
    assert t10.status(D("2025-12-20")) == Status.PAUSED


def test_a_hearing_during_handling_does_not_stop_the_sixty_days() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        *ACCEPTED_0407,
        ev("hearing_start", "2025-05-06", CO),
        ev("hearing_end", "2025-05-16", CO),
    )
    t6 = only(deadlines, "T6")
    assert (t6.due, t6.paused_days, t6.paused_since) == (D("2025-06-06"), 0, None)


def test_a_re_review_decision_meets_t10() -> None:
    deadlines = fold(ROUTE6_AT_CO, RE_REVIEW, ev("decide_re_review", "2025-12-01", RRO))
    t10 = only(deadlines, "T10")
    assert (t10.outcome, t10.closed_on, t10.met_late) == (MET, D("2025-12-01"), False)


def test_a_re_review_decided_during_a_hearing_counts_the_hearing_up_to_the_decision() -> None:
    deadlines = fold(
        ROUTE6_AT_CO,
        RE_REVIEW,
        ev("hearing_start", "2025-11-10", RRO),
        ev("decide_re_review", "2025-12-10", RRO),
    )
    t10 = only(deadlines, "T10")
    # 31 hearing days not counted (10 Nov - 10 Dec, both included): due Monday 5 Jan 2026;
    # met in time.
    assert (t10.outcome, t10.paused_days, t10.paused_since) == (MET, 31, None)
    assert t10.due == D("2026-01-05")
    assert not t10.met_late


# --- report_result / expire_window / close -----------------------------------------------------

ASSIGNED = (RECEIVE, ev("assign", "2025-09-30", CO, report_due=D("2025-10-31")))


def test_the_completion_report_meets_t5() -> None:
    deadlines = fold(AT_PO, *ASSIGNED, ev("report_result", "2025-10-30", CO))
    t5 = only(deadlines, "T5")
    assert (t5.outcome, t5.closed_on, t5.met_late) == (MET, D("2025-10-30"), False)


def test_an_unused_review_window_lapses_and_shows_as_expired() -> None:
    deadlines = fold(ROUTE6_AT_CO, *DELIVERED, ev("expire_window", "2025-07-10", CO))
    t7 = only(deadlines, "T7")
    assert (t7.outcome, t7.closed_on) == (LAPSED, D("2025-07-10"))
    assert not t7.is_open
    assert t7.status(D("2025-07-10")) == Status.EXPIRED


def test_an_unused_re_review_window_lapses_too() -> None:
    deadlines = fold(ROUTE6_AT_CO, REVIEW_DELIVERED, ev("expire_window", "2025-11-20", RO))
    assert only(deadlines, "T9").outcome == LAPSED


def test_closing_voids_whatever_is_still_open() -> None:
    deadlines = fold(AT_PO, *ASSIGNED, ev("close", "2025-10-20", CO))
    assert {d.code: d.outcome for d in deadlines} == {"T1": MET, "T3": VOID, "T4": VOID, "T5": VOID}
    assert all(d.closed_on == D("2025-10-20") for d in deadlines if d.outcome == VOID)


def test_unknown_events_change_nothing() -> None:
    assert fold(AT_PO, RECEIVE, ev("comment", "2025-09-22", PO)) == fold(AT_PO, RECEIVE)


# --- a projection: a holiday change recomputes ------------------------------------------------


def test_folding_again_over_a_changed_calendar_moves_the_due_dates() -> None:
    events = [RECEIVE, REGISTER]
    before = only(track(events, AT_PO, CHINA), "T1")
    local_holiday = HolidayCalendar(overrides={D("2025-10-09"): False})
    after = only(track(events, AT_PO, local_holiday), "T1")
    assert (before.due, after.due) == (D("2025-10-09"), D("2025-10-10"))


def test_the_whole_route_six_journey_leaves_no_deadline_open() -> None:
    deadlines = fold(
        ROUTE6_AT_PO,
        ev("receive", "2025-03-20", PO),
        ev("register", "2025-03-20", PO),
        ev("transfer", "2025-03-25", CO),
        ev("acknowledge", "2025-04-07", CO),
        ev("extend", "2025-05-20", CO, days=30),
        ev("issue_opinion", "2025-07-01", CO),
        ev("record_delivery", "2025-07-03", CO, document="opinion"),
        ev("request_review", "2025-07-20", RO),
        ev("decide_review", "2025-08-15", RO, outcome="uphold"),
        ev("record_delivery", "2025-08-18", RO, document="review_opinion"),
        ev("request_re_review", "2025-09-01", RRO),
        ev("hearing_start", "2025-09-10", RRO),
        ev("hearing_end", "2025-09-15", RRO),
        ev("decide_re_review", "2025-10-09", RRO),
        ev("record_delivery", "2025-10-10", RRO, document="re_review_opinion"),
        ev("close", "2025-10-20", RRO),
    )
    assert codes(deadlines) == ["T1", "T3", "T4", "T6", "T7", "T8", "T9", "T10"]
    assert {d.code: d.outcome for d in deadlines} == {
        "T1": MET,
        "T3": MET,
        "T4": VOID,
        "T6": MET,
        "T7": MET,
        "T8": MET,
        "T9": MET,
        "T10": MET,
    }
    assert not any(d.met_late for d in deadlines)


# --- next_due ---------------------------------------------------------------------------------


def test_next_due_is_the_nearest_open_duty_of_the_holding_organ() -> None:
    deadlines = fold(AT_PO, *ASSIGNED)  # T3 15 Oct, T4 14 Oct, T5 31 Oct for CO; T1 met
    assert next_due(deadlines, CO) == D("2025-10-14")


def test_next_due_ignores_other_organs_duties_and_closed_deadlines() -> None:
    deadlines = fold(AT_PO, *ASSIGNED, ev("acknowledge", "2025-10-09", CO))  # T3 met, T4 void
    assert next_due(deadlines, CO) == D("2025-10-31")  # T5
    assert next_due(deadlines, PO) is None
    assert next_due(fold(AT_PO, *ASSIGNED, ev("close", "2025-10-01", CO)), CO) is None


def test_next_due_includes_the_petitioners_open_window_for_whoever_holds_the_petition() -> None:
    deadlines = fold(ROUTE6_AT_CO, *DELIVERED)  # T6 met, T7 open until 9 Jul, owned by no organ
    assert next_due(deadlines, CO) == D("2025-07-09")
    assert next_due(deadlines, RO) == D("2025-07-09")


def test_next_due_of_nothing_is_none() -> None:
    assert next_due([], CO) is None
