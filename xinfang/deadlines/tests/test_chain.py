"""The transfer chain (deadlines.chain, and its use in the tracker's fold): each lower petition
office's share of the 15-day routing limit (T1a; Art. 22, regulation.md §3.1).

No Django, no database. A hand-made calendar names its rest days, so each test reads as the
dates it is about: weekends are rest days; 1–7 October 2025 is the holiday, with Saturday
11 October a make-up working day (as the State Council arranged it with Mid-Autumn on 6
October, here kept to one week for the reading).

Planted fault (seen failing, then restored): ``hop_due`` returning the office's own share
without ``min(own, end)`` makes ``test_no_office_is_ever_given_a_day_past_the_round_s_fifteen``
and ``test_an_office_that_receives_the_item_on_the_fourteenth_day_has_only_the_round_s_last_day``
fail: the chain would have run past the statutory 15 days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from xinfang.deadlines.chain import (
    DEFAULT_POLICY,
    ChainPolicy,
    hop_due,
    own_share_due,
    parse_shares,
    round_end,
    verdict,
)
from xinfang.deadlines.statutes import Unit
from xinfang.deadlines.tracker import MET, OPEN, VOID, EventFact, Facts, track

D = date.fromisoformat


class Cal:
    """Weekends off, a holiday week, one make-up Saturday."""

    rest = {D("2025-10-01") + timedelta(days=i) for i in range(7)}
    makeup = {D("2025-10-11")}

    def is_working_day(self, d: date) -> bool:
        if d in self.makeup:
            return True
        return d.weekday() < 5 and d not in self.rest


CAL = Cal()
PROVINCE_PO, CITY_PO, COUNTY_PO, TOWN, OTHER = 1, 2, 3, 4, 5
AT_PO = Facts(received_at_petition_office=True)
BRIEF = ChainPolicy(shares={"province": 5, "city": 3, "county": 3, "township": 4})


def ev(action: str, on: str, organ: int, **data: object) -> EventFact:
    return EventFact(action, D(on), organ, data)


def down(on: str, organ: int, level: str) -> EventFact:
    return ev("transfer", on, organ, to_petition_office=True, to_level=level)


def fold(*events: EventFact, policy: ChainPolicy = DEFAULT_POLICY) -> list:
    return track(list(events), AT_PO, CAL, chain=policy)


def of(deadlines: list, code: str) -> list:
    return [d for d in deadlines if d.code == code]


# --- the policy ---------------------------------------------------------------------------------


def test_the_default_shares_are_the_secondary_source_s_five_three_three_four() -> None:
    assert dict(DEFAULT_POLICY.shares) == {
        "national": 5,
        "province": 3,
        "city": 3,
        "county": 4,
        "township": 4,
    }
    assert DEFAULT_POLICY.unit == Unit.CALENDAR_DAYS


def test_the_setting_names_only_the_levels_it_changes() -> None:
    shares = parse_shares("province=5, city=3，county=3,township=4")
    assert shares == {"national": 5, "province": 5, "city": 3, "county": 3, "township": 4}
    assert parse_shares("") == dict(DEFAULT_POLICY.shares)


@pytest.mark.parametrize(
    "text", ["city", "city=", "city=x", "city=-1", "city=0", "city=16", "moon=3", "city=3.5"]
)
def test_a_malformed_share_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shares(text)


def test_a_share_past_the_statutory_fifteen_days_cannot_be_configured() -> None:
    with pytest.raises(ValueError):
        ChainPolicy(shares={"city": 16})
    assert ChainPolicy(shares={"city": 15}).share("city") == 15


# --- one hop ------------------------------------------------------------------------------------


def test_a_share_ending_in_the_holiday_rolls_to_the_first_working_day_after_it() -> None:
    # The city receives on 30 Sep; 3 days end on 3 Oct, a holiday: 8 Oct (the first working
    # day). The round (received 26 Sep at the province) ends on 11 Oct, so 8 Oct stands.
    end = round_end(D("2025-09-26"), CAL)
    assert end == D("2025-10-11")
    due = hop_due(received=D("2025-09-30"), level="city", end=end, policy=BRIEF, cal=CAL)
    assert due == D("2025-10-08")


def test_a_share_in_working_days_skips_the_holiday_but_is_still_capped_by_the_round() -> None:
    policy = ChainPolicy(shares=dict(BRIEF.shares), unit=Unit.WORKING_DAYS)
    own = own_share_due(received=D("2025-09-30"), level="city", policy=policy, cal=CAL)
    assert own == D("2025-10-10")  # 8, 9, 10 October
    county = own_share_due(received=D("2025-10-08"), level="county", policy=policy, cal=CAL)
    assert county == D("2025-10-11")  # 9, 10 and the make-up Saturday 11 October
    end = round_end(D("2025-09-26"), CAL)
    assert hop_due(received=D("2025-10-09"), level="county", end=end, policy=policy, cal=CAL) == end


def test_an_office_that_receives_the_item_on_the_fourteenth_day_has_only_the_round_s_last_day() -> (
    None
):
    end = round_end(D("2025-03-03"), CAL)  # Monday + 15 = Tuesday 18 March
    assert end == D("2025-03-18")
    due = hop_due(received=D("2025-03-17"), level="county", end=end, policy=BRIEF, cal=CAL)
    assert due == end
    own = own_share_due(received=D("2025-03-17"), level="county", policy=BRIEF, cal=CAL)
    assert own == D("2025-03-20")
    # It passes the item on on the 19th: late by the law, on time by its own share.
    v = verdict(due=due, own_due=own, done_on=D("2025-03-19"), today=D("2025-03-25"))
    assert (v.late, v.own_late, v.key) == (True, False, "late")


def test_a_level_the_policy_does_not_name_has_the_round_s_end() -> None:
    policy = ChainPolicy(shares={"city": 3})
    end = D("2025-03-18")
    got = hop_due(received=D("2025-03-05"), level="township", end=end, policy=policy, cal=CAL)
    assert got == end
    assert hop_due(received=D("2025-03-05"), level=None, end=end, policy=policy, cal=CAL) == end


def test_the_verdict_reads_the_due_date_itself_as_on_time() -> None:
    due = D("2025-03-10")
    assert verdict(due=due, own_due=due, done_on=due, today=due).key == "on_time"
    assert verdict(due=due, own_due=due, done_on=None, today=due).key == "running"
    assert verdict(due=due, own_due=due, done_on=None, today=D("2025-03-11")).key == "overdue"
    assert verdict(due=due, own_due=due, done_on=D("2025-03-11"), today=due).key == "late"


def test_no_office_is_ever_given_a_day_past_the_round_s_fifteen() -> None:
    # Every start day of a year, every pair of days the item may have sat above, every level
    # and both units: the share is never past the round's end.
    for unit in Unit:
        policy = ChainPolicy(shares={lv: 15 for lv in ("province", "city", "county")}, unit=unit)
        for offset in range(0, 365, 3):
            start = D("2025-01-01") + timedelta(days=offset)
            end = round_end(start, CAL)
            for held in range(0, 16, 5):
                received = start + timedelta(days=held)
                for level in ("province", "city", "county", "township"):
                    due = hop_due(received=received, level=level, end=end, policy=policy, cal=CAL)
                    assert due <= end, (unit, start, received, level)


# --- the chain in the tracker's fold ------------------------------------------------------------


RECEIVE = ev("receive", "2025-03-03", PROVINCE_PO)  # Monday


def test_a_chain_down_three_offices_gives_each_its_share_within_the_round() -> None:
    deadlines = fold(
        RECEIVE,
        down("2025-03-05", CITY_PO, "city"),  # city: 3 days -> Sat 8th -> Mon 10th
        down("2025-03-07", COUNTY_PO, "county"),  # county: 3 days -> Mon 10th
        ev("transfer", "2025-03-10", TOWN),  # to the competent township organ
        policy=BRIEF,
    )
    (t1,) = of(deadlines, "T1")
    city, county = of(deadlines, "T1a")
    assert (t1.due, t1.outcome, t1.closed_on) == (D("2025-03-18"), MET, D("2025-03-05"))
    assert (city.owner_organ_id, city.start, city.due, city.days) == (
        CITY_PO,
        D("2025-03-05"),
        D("2025-03-10"),
        3,
    )
    assert (city.outcome, city.closed_on, city.met_late) == (MET, D("2025-03-07"), False)
    assert (county.owner_organ_id, county.due, county.outcome) == (COUNTY_PO, D("2025-03-10"), MET)
    assert not county.met_late
    # The township organ owes its written notice 15 days from its own receipt (Art. 23 para 3).
    (t3,) = of(deadlines, "T3")
    assert (t3.owner_organ_id, t3.start, t3.due) == (TOWN, D("2025-03-10"), D("2025-03-25"))


def test_a_hop_passed_on_after_its_share_is_met_late() -> None:
    deadlines = fold(
        RECEIVE,
        down("2025-03-05", CITY_PO, "city"),
        down("2025-03-12", COUNTY_PO, "county"),  # the city's share ended on the 10th
        policy=BRIEF,
    )
    city, county = of(deadlines, "T1a")
    assert city.met_late and city.closed_on == D("2025-03-12")
    # The county's own 3 days would end on the 15th (Sat) -> 17th; the round ends on the 18th.
    assert (county.due, county.outcome) == (D("2025-03-17"), OPEN)


def test_the_last_office_of_a_slow_chain_is_held_to_the_round_s_end() -> None:
    deadlines = fold(
        RECEIVE,
        down("2025-03-14", CITY_PO, "city"),  # 3 days -> 17th
        down("2025-03-17", COUNTY_PO, "county"),  # 3 days -> 20th, but the round ends the 18th
        policy=BRIEF,
    )
    assert [d.due for d in of(deadlines, "T1a")] == [D("2025-03-17"), D("2025-03-18")]


def test_an_objection_returns_the_item_and_the_sender_owes_a_new_round_from_the_return() -> None:
    deadlines = fold(
        RECEIVE,
        down("2025-03-05", CITY_PO, "city"),
        ev("transfer", "2025-03-07", OTHER),  # the city sends it to a competent organ
        ev("object", "2025-03-10", CITY_PO),  # which objects: not its matter; back to the city
        ev("objection_accept", "2025-03-11", CITY_PO),
        ev("transfer", "2025-03-12", TOWN),  # the city re-routes
        policy=BRIEF,
    )
    first, second = of(deadlines, "T1")
    assert (second.owner_organ_id, second.start, second.due) == (
        CITY_PO,
        D("2025-03-10"),
        D("2025-03-25"),
    )
    assert (second.outcome, second.closed_on) == (MET, D("2025-03-12"))
    voided, notice = of(deadlines, "T3")
    assert voided.owner_organ_id == OTHER and voided.outcome == VOID
    # The petitioner's notice from the organ that finally has it runs its full 15 days from
    # its own receipt: the wrong turn cost the petitioner nothing (Art. 23 para 3).
    assert (notice.owner_organ_id, notice.start, notice.due, notice.outcome) == (
        TOWN,
        D("2025-03-12"),
        D("2025-03-27"),
        OPEN,
    )


def test_a_rejected_objection_meets_the_sender_s_new_round_and_the_organ_keeps_the_item() -> None:
    deadlines = fold(
        RECEIVE,
        ev("transfer", "2025-03-05", OTHER),
        ev("object", "2025-03-06", PROVINCE_PO),
        ev("objection_reject", "2025-03-07", OTHER),
    )
    assert [(d.outcome, d.closed_on) for d in of(deadlines, "T1")] == [
        (MET, D("2025-03-05")),
        (MET, D("2025-03-07")),
    ]
    assert [d.outcome for d in of(deadlines, "T3")] == [OPEN]


def test_a_chain_through_a_petition_office_below_an_organ_starts_its_own_round() -> None:
    # Received at an organ that is no petition office (T2), which sends it down to an office
    # of its system: the round begins with that transfer.
    deadlines = track(
        [ev("receive", "2025-03-03", OTHER), down("2025-03-04", COUNTY_PO, "county")],
        Facts(received_at_petition_office=False),
        CAL,
        chain=BRIEF,
    )
    (t1a,) = of(deadlines, "T1a")
    assert t1a.due == D("2025-03-07")
