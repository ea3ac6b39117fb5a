"""The escalation ladder on a deadline (督办催办), as a pure rule: which steps are due on a day.

PURE: imports no Django. A deadline that runs from ``start`` to ``due`` climbs three steps, each
once (the caller records them and never records one twice):

1. ``warn``   a warning to the handler when ``share`` of the time has passed;
2. ``head``   the head of the organ when the day after ``due`` has come and nothing was done;
3. ``higher`` the next-higher petition office ``higher_days`` days after that
              (Art. 40: the petition office supervises delay; Art. 43 holds a petition office to
              account for failing to supervise, so the office above is told).

A step is sent only while it is true: a warning "before the deadline" is never sent once the
deadline has passed. A tick that runs late (or first runs after the due day) skips the warning
and sends the overdue steps; the head and the office above are both still owed their notice
(the one is not a substitute for the other, Art. 40).

The share and the days are settings (``XINFANG_ESCALATION_WARN_PERCENT``,
``XINFANG_ESCALATION_HIGHER_DAYS``): the law sets the deadlines, not when to warn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


def _(text: str) -> str:  # marker for message extraction; translated at render time
    return text


class Step(StrEnum):
    WARN = "warn"
    HEAD = "head"
    HIGHER = "higher"


LABELS: dict[Step, str] = {
    Step.WARN: _("临期提醒承办人"),
    Step.HEAD: _("逾期告知机关负责人"),
    Step.HIGHER: _("逾期报上一级信访部门"),
}

ORDER: tuple[Step, ...] = (Step.WARN, Step.HEAD, Step.HIGHER)


@dataclass(frozen=True)
class Ladder:
    warn_percent: int = 80  # of the time from start to due
    higher_days: int = 5  # days after the head was told

    def __post_init__(self) -> None:
        if not 1 <= self.warn_percent <= 99:
            raise ValueError("warn_percent must lie between 1 and 99")
        if self.higher_days < 0:
            raise ValueError("higher_days must not be negative")

    def fires_on(self, step: Step, *, start: date, due: date) -> date:
        """The first day on which ``step`` is due for a deadline from ``start`` to ``due``."""
        if step == Step.WARN:
            span = max((due - start).days, 0)
            # rounded up: 80 % of 30 days is day 24; never later than the due day itself
            return start + timedelta(days=min(-(-span * self.warn_percent // 100), span))
        if step == Step.HEAD:
            return due + timedelta(days=1)
        return due + timedelta(days=1 + self.higher_days)

    def due_steps(self, *, start: date, due: date, today: date) -> list[Step]:
        """Every step whose day has come and that is still true today (the caller drops those
        already recorded): the pre-deadline warning only up to the due day itself."""
        return [
            s
            for s in ORDER
            if self.fires_on(s, start=start, due=due) <= today
            and not (s == Step.WARN and today > due)
        ]
