"""The escalation ladder as a pure rule (no database)."""

from datetime import date

import pytest

from xinfang.resolution.ladder import Ladder, Step


def test_the_warning_comes_at_the_share_of_the_time_rounded_up() -> None:
    ladder = Ladder(warn_percent=80)
    # 30 days from 1 March: 80 % is day 24 -> 25 March
    assert ladder.fires_on(Step.WARN, start=date(2026, 3, 1), due=date(2026, 3, 31)) == date(
        2026, 3, 25
    )
    # 7 days: 5.6 rounds up to 6
    assert ladder.fires_on(Step.WARN, start=date(2026, 3, 1), due=date(2026, 3, 8)) == date(
        2026, 3, 7
    )


def test_the_head_is_told_the_day_after_the_due_day_and_the_higher_office_later() -> None:
    ladder = Ladder(warn_percent=80, higher_days=5)
    start, due = date(2026, 3, 1), date(2026, 3, 31)
    assert ladder.due_steps(start=start, due=due, today=date(2026, 3, 24)) == []
    assert ladder.due_steps(start=start, due=due, today=date(2026, 3, 25)) == [Step.WARN]
    # on the due day itself nothing is overdue yet
    assert ladder.due_steps(start=start, due=due, today=due) == [Step.WARN]
    # past the due day the warning "before the deadline" is no longer true: never sent late
    assert ladder.due_steps(start=start, due=due, today=date(2026, 4, 1)) == [Step.HEAD]
    assert ladder.due_steps(start=start, due=due, today=date(2026, 4, 5)) == [Step.HEAD]
    assert ladder.due_steps(start=start, due=due, today=date(2026, 4, 6)) == [
        Step.HEAD,
        Step.HIGHER,
    ]


def test_a_deadline_due_the_day_it_starts_warns_that_day() -> None:
    d = date(2026, 3, 1)
    assert Ladder().due_steps(start=d, due=d, today=d) == [Step.WARN]


@pytest.mark.parametrize("percent", [0, 100, -5])
def test_a_share_outside_one_to_ninety_nine_is_refused(percent: int) -> None:
    with pytest.raises(ValueError):
        Ladder(warn_percent=percent)
