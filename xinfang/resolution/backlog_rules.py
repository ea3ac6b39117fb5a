"""Backlog criteria (积案, regulation.md §9; Arts. 18, 38) as a pure rule: which facts of a
petition make it a candidate backlog case, and why, in words a person can check.

PURE: imports no Django. The criteria themselves are data (``BacklogCriterion`` rows that the
province edits: a kind and a threshold); this module only says what each kind means. A match is
a *proposal*: a person confirms or rejects it (``services/backlog.py``). A criterion is about the
matter (how long it has stayed open, how often the same matter came back, whether it came
back after its re-review ended it), never about the petitioner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


def _(text: str) -> str:  # marker for message extraction; translated at render time
    return text


class Kind(StrEnum):
    # open longer than N days since registration (久拖未决) and not answered at its current
    # stage: a petition whose opinion (Art. 32) or review opinion (Art. 35) is issued and whose
    # petitioner's window to ask the next step runs is answered, not unresolved
    OPEN_DAYS = "open_days"
    REPEATS = "repeats"  # N later petitions registered as the same matter (反复信访)
    # passed re-review but still raised (复查复核终结后仍反映): the matter's re-review opinion is
    # issued (Art. 36 para 3: the same request is not accepted again), yet N petitions of the
    # same matter came after it; the latest, still open, is proposed
    RE_REVIEWED = "re_reviewed"


LABELS: dict[Kind, str] = {
    Kind.OPEN_DAYS: _("登记后超过 N 日仍未办结"),
    Kind.REPEATS: _("同一事项重复信访达到 N 次"),
    Kind.RE_REVIEWED: _("复查复核终结后同一事项仍反映达到 N 次"),
}


@dataclass(frozen=True)
class Facts:
    """What a criterion reads of one petition."""

    registered_on: date
    is_open: bool
    repeats: int  # later petitions registered as the same matter (``repeat_of``)
    # petitions of the same matter registered after the matter's re-review opinion, when this
    # petition is the latest open one of them (else 0)
    after_final: int = 0
    # the current stage's opinion or answer is issued (a remedy window runs): nothing is owed
    answered: bool = False
    # what is still owed at the current stage, in words (e.g. "复查中，尚未出具复查意见")
    awaiting: str = ""


@dataclass(frozen=True)
class Criterion:
    kind: Kind
    threshold: int

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("threshold must be at least 1")

    def matches(self, facts: Facts, *, today: date) -> bool:
        if self.kind == Kind.OPEN_DAYS:
            return (
                facts.is_open
                and not facts.answered
                and (today - facts.registered_on).days > self.threshold
            )
        if self.kind == Kind.RE_REVIEWED:
            return facts.is_open and facts.after_final >= self.threshold
        return facts.repeats >= self.threshold

    def reason(self, facts: Facts, *, today: date) -> str:
        """Why it matched, as a sentence kept with the proposal (Chinese, the record's language)."""
        if self.kind == Kind.OPEN_DAYS:
            days = (today - facts.registered_on).days
            now = f"：{facts.awaiting}" if facts.awaiting else ""
            return f"登记已 {days} 日仍未办结{now}（标准：超过 {self.threshold} 日）"
        if self.kind == Kind.RE_REVIEWED:
            return (
                f"复核意见出具后同一事项仍反映 {facts.after_final} 次"
                f"（标准：{self.threshold} 次；第三十六条第三款）"
            )
        return f"同一事项已重复信访 {facts.repeats} 次（标准：{self.threshold} 次）"
