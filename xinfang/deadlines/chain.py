"""The transfer chain (逐级转送): each petition office's share of the 15-day routing limit.

PURE: imports no Django. The law (regulation.md §3.1, §5.1 T1 and T1a):

* A petition office routes an item within **15 days** of receiving it (T1; 《信访工作条例》
  Art. 22 para 1). An item that concerns a lower level goes down the chain, office by office
  (Art. 22(2): 属地管理、分级负责，谁主管、谁负责).
* Going down, the 15 days are shared: the whole chain finishes within them, and each office has
  its own part (T1a: State Bureau 5, province 3, city 3, county 4; 国信发〔2014〕16号 Art. 6,
  a secondary source). The parts are policy (``XINFANG_TRANSFER_SHARES``); the 15 days are law.

The rule, as :func:`hop_due` computes it:

1. A *round* starts when a petition office receives the item from outside the chain (T1 from the
   day of receipt) or gets it back because the organ it sent it to objected (Art. 23 para 3: the
   materials go back and the office routes again; a new T1). The round ends on T1's due date.
2. A lower petition office that receives the item by transfer in the round has its level's
   share, counted from the day it received it (the day itself not counted), in the policy's unit:
   calendar days by default (the "日" of T1, whose parts they are; a last day on a rest day rolls
   to the next working day like T1's), or working days.
3. No office's due date is ever past the round's end: the sum of the parts never exceeds the
   statutory 15 days. When the office above used more than its share, the office below is shown
   both dates: its own share (:attr:`Hop.own_due`, by which its own conduct is judged) and the
   round's end (the law's date, :attr:`Hop.due`).

A returned item never costs the petitioner: the organ that finally receives it owes its written
notice (T3, 15 days) from its own receipt, however long the chain took (Art. 23 para 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from xinfang.core.inputs import is_digits
from xinfang.deadlines.calendar import WorkCalendar, add_calendar_days, add_working_days
from xinfang.deadlines.statutes import STATUTES, Unit, due_date

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_SHARES",
    "LEVELS",
    "ChainPolicy",
    "Verdict",
    "hop_due",
    "own_share_due",
    "parse_shares",
    "round_end",
    "verdict",
]

#: The levels of the organ tree, top down (directory.models.Level values).
LEVELS: tuple[str, ...] = ("national", "province", "city", "county", "township")

#: regulation.md §3.1 / T1a: State Bureau 5, province 3, city 3, county 4 days. A township office
#: is not in the source; it is the last office before the competent organ, like the county's
#: in a chain that starts at the State Bureau, so it gets the county's 4.
DEFAULT_SHARES: Mapping[str, int] = MappingProxyType(
    {"national": 5, "province": 3, "city": 3, "county": 4, "township": 4}
)


@dataclass(frozen=True)
class ChainPolicy:
    """The per-level shares of the 15-day routing limit and how their days are counted."""

    shares: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SHARES))
    unit: Unit = Unit.CALENDAR_DAYS

    def __post_init__(self) -> None:
        total = STATUTES["T1"].days
        assert total is not None
        for level, days in self.shares.items():
            if level not in LEVELS:
                raise ValueError(f"unknown level {level!r} in the transfer shares; known: {LEVELS}")
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= total:
                raise ValueError(
                    f"the share of {level} must be a whole number of days from 1 to {total}, "
                    f"got {days!r}"
                )
        if self.unit not in (Unit.CALENDAR_DAYS, Unit.WORKING_DAYS):
            raise ValueError(f"unknown unit {self.unit!r}")
        object.__setattr__(self, "shares", MappingProxyType(dict(self.shares)))

    def share(self, level: str | None) -> int | None:
        """The days of ``level``'s share; None when the policy names none (the round's end
        governs alone)."""
        return self.shares.get(level or "")


DEFAULT_POLICY = ChainPolicy()


def parse_shares(text: str) -> dict[str, int]:
    """``"province=5,city=3,county=3,township=4"`` as a mapping; ``ValueError`` when malformed.

    Levels not named keep their default share: the setting changes only what it names."""
    shares = dict(DEFAULT_SHARES)
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        level, sep, days = part.partition("=")
        if not sep or not is_digits(days.strip()):
            raise ValueError(f"a transfer share is level=days, got {part!r}")
        shares[level.strip()] = int(days.strip())
    ChainPolicy(shares=shares)  # validates
    return shares


def round_end(start: date, cal: WorkCalendar, *, roll_to_working_day: bool = True) -> date:
    """The last day of a round that started on ``start``: T1's 15 days (Art. 22 para 1)."""
    return due_date(STATUTES["T1"], start, cal, roll_to_working_day=roll_to_working_day)


def own_share_due(
    *,
    received: date,
    level: str | None,
    policy: ChainPolicy,
    cal: WorkCalendar,
    roll_to_working_day: bool = True,
) -> date | None:
    """The last day of ``level``'s own share counted from ``received``; None without a share."""
    days = policy.share(level)
    if days is None:
        return None
    if policy.unit == Unit.WORKING_DAYS:
        return add_working_days(received, days, cal)
    return add_calendar_days(received, days, cal, roll_to_working_day=roll_to_working_day)


def hop_due(
    *,
    received: date,
    level: str | None,
    end: date,
    policy: ChainPolicy,
    cal: WorkCalendar,
    roll_to_working_day: bool = True,
) -> date:
    """The due date of a lower office that received the item on ``received``: its own share,
    never past the round's ``end`` (T1a; rule 3 of the module)."""
    own = own_share_due(
        received=received,
        level=level,
        policy=policy,
        cal=cal,
        roll_to_working_day=roll_to_working_day,
    )
    return end if own is None else min(own, end)


@dataclass(frozen=True)
class Verdict:
    """How one office kept its part of the chain, as seen on ``today``."""

    done: bool  # it passed the item on (or the round ended otherwise)
    late: bool  # past the due date (done late, or still holding it after the due date)
    own_late: bool  # past its own share: its own conduct, whatever the office above did

    @property
    def key(self) -> str:
        """``on_time`` / ``late`` / ``running`` / ``overdue`` (for the page's wording)."""
        if self.done:
            return "late" if self.late else "on_time"
        return "overdue" if self.late else "running"


def verdict(*, due: date, own_due: date | None, done_on: date | None, today: date) -> Verdict:
    """Whether the office met ``due`` (the law's date) and ``own_due`` (its own share).

    The due date itself is the last day allowed (the period ends at 24:00 of that day)."""
    upto = done_on if done_on is not None else today
    own = own_due if own_due is not None else due
    return Verdict(done=done_on is not None, late=upto > due, own_late=upto > own)
