"""The rate definitions (regulation.md §8.2) on hand-made cases at their edges (pure: no DB)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from fractions import Fraction

from xinfang.analytics.rates import (
    MEDIAN,
    P90,
    Duty,
    Metric,
    PetitionFacts,
    Rated,
    Step,
    Window,
    outcomes,
    quantile,
    rate_of,
)

A, B, C = 1, 2, 3  # organs
D = date(2025, 3, 1)  # received


def _rows(f, metric, as_of=date(2025, 12, 31)):  # type: ignore[no-untyped-def]
    return [(r.organ_id, r.month, r.outcome) for r in outcomes(f, as_of=as_of) if r.metric == metric]


def _facts(**kw):  # type: ignore[no-untyped-def]
    kw.setdefault("petition_id", 1)
    kw.setdefault("received", D)
    kw.setdefault("current_organ_id", A)
    return PetitionFacts(**kw)


# --- 及时受理率 -------------------------------------------------------------------------------


def test_acceptance_on_the_due_day_itself_is_on_time_and_the_day_after_is_late():
    due = date(2025, 3, 31)  # received + 30 days
    on_day = _facts(steps=[Step("acknowledge", due, A)])
    day_after = _facts(steps=[Step("acknowledge", date(2025, 4, 1), A)])
    assert _rows(on_day, Metric.ACCEPT) == [(A, date(2025, 3, 1), "on_time")]
    assert _rows(day_after, Metric.ACCEPT) == [(A, date(2025, 3, 1), "late")]


def test_not_accepted_is_overdue_only_after_the_due_day():
    f = _facts(steps=[Step("register", D, A)])
    assert _rows(f, Metric.ACCEPT, as_of=date(2025, 3, 31)) == []  # the due day: still in time
    assert _rows(f, Metric.ACCEPT, as_of=date(2025, 4, 1)) == [(A, date(2025, 3, 1), "overdue")]


def test_a_transferred_petition_counts_once_at_the_organ_that_accepted_it():
    f = _facts(
        current_organ_id=C,
        steps=[
            Step("register", D, A),
            Step("transfer", date(2025, 3, 5), B),
            Step("object", date(2025, 3, 7), B),
            Step("objection_accept", date(2025, 3, 9), A),
            Step("transfer", date(2025, 3, 10), C),
            Step("acknowledge", date(2025, 3, 20), C),
        ],
    )
    assert _rows(f, Metric.ACCEPT) == [(C, date(2025, 3, 1), "on_time")]


def test_a_hand_over_to_another_installation_owes_acceptance_there_until_it_is_taken_back():
    """Issue 20: acceptance of a petition handed to another installation is counted there; one
    taken back (取回) because it never arrived is owed here again, and overdue as any other.
    Planted fault: ``_handed_out`` ignoring ``take_back`` - the second case counts nothing."""
    out = [Step("register", D, A), Step("transfer", date(2025, 3, 5), C, {"to_external": True})]
    assert _rows(_facts(current_organ_id=C, steps=out), Metric.ACCEPT) == []
    back = _facts(steps=[*out, Step("take_back", date(2025, 3, 20), A)])
    assert _rows(back, Metric.ACCEPT) == [(A, date(2025, 3, 1), "overdue")]


def test_an_item_closed_with_no_acceptance_owed_is_not_in_the_denominator():
    for action in ("redirect", "not_accept", "refer_legal", "refer_discipline"):
        f = _facts(steps=[Step("register", D, A), Step(action, date(2025, 5, 1), A)])
        assert _rows(f, Metric.ACCEPT) == [], action


def test_a_voided_registration_is_never_overdue_for_acceptance():
    """The walker's 0 % office: five registrations voided as mistakes counted 超期未办 for ever
    (Art. 21: a voided registration counts nowhere), voided before or after the due day."""
    for voided_on in (date(2025, 3, 5), date(2025, 4, 20)):
        f = _facts(steps=[Step("register", D, A), Step("void", voided_on, A)])
        assert _rows(f, Metric.ACCEPT) == [], voided_on
        assert _rows(f, Metric.ACCEPT, as_of=date(2025, 4, 1)) == [], voided_on


# --- 按期办结率 -------------------------------------------------------------------------------


def test_completion_on_the_deadline_day_is_on_time():
    due = date(2025, 5, 30)
    on_time = _facts(duties=[Duty(B, due, "met", due)])
    late = _facts(duties=[Duty(B, due, "met", date(2025, 5, 31))])
    assert _rows(on_time, Metric.COMPLETE) == [(B, date(2025, 5, 1), "on_time")]
    assert _rows(late, Metric.COMPLETE) == [(B, date(2025, 5, 1), "late")]


def test_an_extension_moves_the_deadline_and_the_cohort_month():
    """T6 extended by 30 days (Art. 34): an answer after the first due date but within the
    extended one is on time, counted in the month of the extended deadline."""
    extended_due = date(2025, 6, 29)
    f = _facts(duties=[Duty(B, extended_due, "met", date(2025, 6, 10))])
    assert _rows(f, Metric.COMPLETE) == [(B, date(2025, 6, 1), "on_time")]


def test_unfinished_duties_are_running_until_the_deadline_passes_then_overdue():
    f = _facts(duties=[Duty(B, date(2025, 5, 30), "open")])
    assert _rows(f, Metric.COMPLETE, as_of=date(2025, 5, 30)) == [(B, date(2025, 5, 1), "running")]
    assert _rows(f, Metric.COMPLETE, as_of=date(2025, 5, 31)) == [(B, date(2025, 5, 1), "overdue")]


def test_a_petition_reopened_by_review_counts_its_new_duty_in_its_own_month():
    """The first T6 was met on time; the review ordered it redone (Art. 35): the new T6 is a
    new duty, running, and the first keeps its on-time outcome."""
    f = _facts(
        duties=[
            Duty(B, date(2025, 5, 30), "met", date(2025, 5, 20)),
            Duty(B, date(2025, 9, 30), "open"),
        ]
    )
    assert _rows(f, Metric.COMPLETE, as_of=date(2025, 8, 1)) == [
        (B, date(2025, 5, 1), "on_time"),
        (B, date(2025, 9, 1), "running"),
    ]


def test_a_void_duty_is_not_counted():
    f = _facts(duties=[Duty(B, date(2025, 5, 30), "void", date(2025, 4, 1))])
    assert _rows(f, Metric.COMPLETE) == []


# --- 满意率, 参评率 ---------------------------------------------------------------------------


def test_basically_satisfied_counts_as_satisfied():
    f = _facts(
        ratings=[
            Rated("handling", B, "basically_satisfied", date(2025, 6, 2)),
            Rated("review", C, "dissatisfied", date(2025, 8, 2)),
        ]
    )
    counts = Counter(o for _, _, o in _rows(f, Metric.SATISFY))
    assert rate_of(Metric.SATISFY, counts).rate == Fraction(1, 2)
    assert str(rate_of(Metric.SATISFY, counts)) == "1 / 2 = 50.0%"


def test_litigation_and_other_statutory_routes_are_excluded_from_satisfaction():
    rated = [Rated("handling", B, "dissatisfied", date(2025, 6, 2))]
    window = [Window("handling", B, date(2025, 7, 2))]
    for route in (1, 2, 3, 4):
        f = _facts(route=route, ratings=rated, windows=window)
        assert _rows(f, Metric.SATISFY) == [] and _rows(f, Metric.EVALUATE) == [], route
    legal = _facts(steps=[Step("refer_legal", D, A)], ratings=rated, windows=window)
    assert _rows(legal, Metric.SATISFY) == []
    for route in (5, 6, None):
        f = _facts(route=route, ratings=rated, windows=window)
        assert _rows(f, Metric.SATISFY) == [(B, date(2025, 6, 1), "dissatisfied")], route


def test_an_expired_window_counts_against_participation_only_after_its_last_day():
    w = Window("handling", B, date(2025, 7, 2))
    f = _facts(windows=[w])
    assert _rows(f, Metric.EVALUATE, as_of=date(2025, 7, 2)) == []  # last day: still open
    assert _rows(f, Metric.EVALUATE, as_of=date(2025, 7, 3)) == [(B, date(2025, 7, 1), "expired")]
    done = _facts(windows=[w], ratings=[Rated("handling", B, "satisfied", date(2025, 6, 9))])
    assert _rows(done, Metric.EVALUATE, as_of=date(2025, 6, 10)) == [
        (B, date(2025, 7, 1), "evaluated")
    ]


def test_no_due_items_is_no_rate_not_zero():
    r = rate_of(Metric.ACCEPT, Counter())
    assert (r.n, r.d, r.rate, str(r)) == (0, 0, None, "0 / 0 = —")


# --- days per stage --------------------------------------------------------------------------


def test_stage_days_follow_the_steps_and_a_redo_owes_a_new_answer():
    f = _facts(
        steps=[
            Step("register", D, A),
            Step("acknowledge", date(2025, 3, 11), B),
            Step("issue_opinion", date(2025, 4, 10), B),
            Step("request_review", date(2025, 4, 20), C),
            Step("decide_review", date(2025, 5, 10), C, {"outcome": "redo"}),
            Step("issue_opinion", date(2025, 6, 9), B),
        ]
    )
    got = [(r.metric, r.organ_id, r.days) for r in outcomes(f, as_of=date(2025, 12, 1))
           if r.metric.startswith("d_")]
    assert got == [
        (Metric.DAYS_NOTICE, B, 10),
        (Metric.DAYS_ANSWER, B, 30),
        (Metric.DAYS_REVIEW, C, 20),
        (Metric.DAYS_ANSWER, B, 30),
    ]


def test_quantiles_by_nearest_rank():
    assert quantile({}, MEDIAN) is None
    assert quantile({5: 1}, P90) == 5
    hist = Counter([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert (quantile(hist, MEDIAN), quantile(hist, P90)) == (5, 9)
    assert quantile({1: 9, 100: 1}, P90) == 1 and quantile({1: 8, 100: 2}, P90) == 100
