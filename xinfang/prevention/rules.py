"""PURE: the rules of source prevention (regulation §10), as plain Python a test reads as a sentence.

- A dispute's life: recorded (在排查) -> mediating (调解中) -> one outcome: settled (已化解),
  referred to a court, arbitration or the competent organ (已移交), or turned into a petition
  (已转为信访事项, the link kept). An outcome is final: a closed entry takes no more steps.
- The screening cycle: disputes are screened in cycles of ``months`` months (monthly by
  default, ``XINFANG_SCREENING_CYCLE_MONTHS``); an entry belongs to the cycle it was found in.
- The risk of a draft decision (重大行政决策程序暂行条例 Arts. 22–24): each risk point has a
  likelihood and an impact (1 low, 2 medium, 3 high); its level is their product banded
  (1–2 low, 3–4 medium, 6–9 high); the decision's level is that of its highest point. A risk
  level belongs to a decision or project, never to a person (DEVELOPERS.md principle 3).
- The conclusion of an assessment: proceed, proceed with measures, adjust first, do not proceed.
  A high risk with no mitigation measure cannot conclude "proceed"; a conclusion needs at least
  one piece of assessment work (public comment, hearing, expert view or survey: Art. 23).

Imports no Django (import-linter).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum


class DisputeStatus(StrEnum):
    OPEN = "open"
    MEDIATING = "mediating"
    SETTLED = "settled"
    REFERRED = "referred"
    PETITION = "petition"


class Outcome(StrEnum):
    SETTLED = "settled"  # 调解成功，已化解
    COURT = "court"  # 引导诉讼
    ARBITRATION = "arbitration"  # 引导仲裁
    ORGAN = "organ"  # 移交有权处理的机关
    PETITION = "petition"  # 转为信访事项（保留关联）


#: The status an outcome closes a dispute with.
OUTCOME_STATUS: dict[Outcome, DisputeStatus] = {
    Outcome.SETTLED: DisputeStatus.SETTLED,
    Outcome.COURT: DisputeStatus.REFERRED,
    Outcome.ARBITRATION: DisputeStatus.REFERRED,
    Outcome.ORGAN: DisputeStatus.REFERRED,
    Outcome.PETITION: DisputeStatus.PETITION,
}
OPEN_STATUSES = frozenset({DisputeStatus.OPEN, DisputeStatus.MEDIATING})
#: Outcomes that name where the matter went (a court, an arbitration commission, an organ).
OUTCOMES_NAMING_A_PLACE = frozenset({Outcome.COURT, Outcome.ARBITRATION, Outcome.ORGAN})


def dispute_is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def status_after_step(status: str) -> DisputeStatus:
    """A mediation step on an open entry makes it "mediating"; a closed entry takes none."""
    if not dispute_is_open(status):
        raise ValueError("closed")
    return DisputeStatus.MEDIATING


def status_after_outcome(status: str, outcome: str) -> DisputeStatus:
    if not dispute_is_open(status):
        raise ValueError("closed")
    return OUTCOME_STATUS[Outcome(outcome)]


def cycle_start(day: date, *, months: int = 1) -> date:
    """The first day of the screening cycle ``day`` falls in (cycles start in January)."""
    if months < 1 or 12 % months:
        raise ValueError("months must divide 12")
    first_month = (day.month - 1) // months * months + 1
    return date(day.year, first_month, 1)


def cycle_end(start: date, *, months: int = 1) -> date:
    """The first day after the cycle starting on ``start``."""
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1)


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def risk_level(likelihood: int, impact: int) -> Level:
    """The level of one risk point of a draft decision (likelihood, impact in 1..3)."""
    if likelihood not in (1, 2, 3) or impact not in (1, 2, 3):
        raise ValueError("likelihood and impact are 1, 2 or 3")
    score = likelihood * impact
    if score >= 6:
        return Level.HIGH
    if score >= 3:
        return Level.MEDIUM
    return Level.LOW


def decision_level(points: Iterable[tuple[int, int]]) -> Level | None:
    """The decision's level: that of its highest risk point (None: no point assessed yet)."""
    order = [Level.LOW, Level.MEDIUM, Level.HIGH]
    levels = [risk_level(likelihood, impact) for likelihood, impact in points]
    return max(levels, key=order.index) if levels else None


class Conclusion(StrEnum):
    PROCEED = "proceed"  # 可以实施
    PROCEED_WITH_MEASURES = "proceed_with_measures"  # 采取措施后实施
    ADJUST = "adjust"  # 调整后再评估
    DO_NOT_PROCEED = "do_not_proceed"  # 暂缓或不予实施


def conclusion_problems(
    *, conclusion: str, work_count: int, points: Iterable[tuple[int, int, bool]]
) -> list[str]:
    """Why the conclusion may not be recorded (empty: it may). ``points`` are (likelihood,
    impact, has_measures). Codes: ``no_work`` (no public comment, hearing, expert view or survey
    held: Art. 23), ``no_points`` (no risk point assessed), ``unmitigated_high`` (a high risk
    with no measure cannot conclude "proceed")."""
    Conclusion(conclusion)
    pts = list(points)
    out = []
    if work_count < 1:
        out.append("no_work")
    if not pts:
        out.append("no_points")
    if conclusion == Conclusion.PROCEED and any(
        risk_level(li, im) == Level.HIGH and not measured for li, im, measured in pts
    ):
        out.append("unmitigated_high")
    return out


class TaskStatus(StrEnum):
    OPEN = "open"  # 待办理
    REPLIED = "replied"  # 已书面答复
    CLOSED = "closed"  # 已办结


def task_status_after(status: str, kind: str) -> TaskStatus:
    """A joint-conference task: a written reply makes it "replied"; a follow-up (督办) keeps or
    reopens it (the reply was not enough); closing needs a reply first. Closed takes nothing."""
    if status == TaskStatus.CLOSED:
        raise ValueError("closed")
    if kind == "reply":
        return TaskStatus.REPLIED
    if kind == "follow_up":
        return TaskStatus.OPEN
    if kind == "close":
        if status != TaskStatus.REPLIED:
            raise ValueError("no_reply")
        return TaskStatus.CLOSED
    raise ValueError("kind")
