"""The backlog criteria as pure rules (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.resolution.backlog_rules import Criterion, Facts, Kind

TODAY = date(2026, 3, 1)


def facts(days_open: int = 0, *, is_open: bool = True, repeats: int = 0) -> Facts:
    return Facts(date.fromordinal(TODAY.toordinal() - days_open), is_open, repeats)


def test_a_petition_open_longer_than_the_threshold_matches_and_one_on_the_day_does_not():
    c = Criterion(Kind.OPEN_DAYS, 90)
    assert not c.matches(facts(90), today=TODAY)
    assert c.matches(facts(91), today=TODAY)
    assert "91" in c.reason(facts(91), today=TODAY)


def test_a_closed_petition_is_never_open_too_long():
    assert not Criterion(Kind.OPEN_DAYS, 90).matches(facts(400, is_open=False), today=TODAY)


def test_the_same_matter_raised_the_threshold_times_matches():
    c = Criterion(Kind.REPEATS, 3)
    assert not c.matches(facts(repeats=2), today=TODAY)
    assert c.matches(facts(repeats=3), today=TODAY)
    assert "3" in c.reason(facts(repeats=3), today=TODAY)


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError):
        Criterion(Kind.REPEATS, 0)
