"""The national statutory time limits T1–T10 (regulation.md §5.1) as reviewed data (pure module).

Each row carries its article citation: [R22] 《信访工作条例》 (2022), and where §5.1 gives one the
[R05] 《信访条例》 (2005) equivalent. Counting follows regulation.md §5.3: "N日" are calendar days,
"N个工作日" are working days, the starting day is not counted, and a last day on a rest day rolls to
the next working day by default (民法典 Arts. 200–204 by analogy; see
:mod:`xinfang.deadlines.calendar`). The roll-over is a policy flag (``roll_to_working_day``)
pending legal review (Q-1).

T11–T13 of §5.1 are not time limits that can be computed (finality, no period, "promptly"), so they
are not rows here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from xinfang.deadlines.calendar import WorkCalendar, add_calendar_days, add_working_days

__all__ = [
    "STATUTES",
    "Kind",
    "Owner",
    "Statute",
    "Status",
    "Unit",
    "due_date",
    "statute",
    "status_on",
]

R22 = "《信访工作条例》"
R05 = "《信访条例》（2005）"


class Unit(StrEnum):
    """How the days of a limit are counted (regulation.md §5.3)."""

    CALENDAR_DAYS = "calendar_days"  # "N日"
    WORKING_DAYS = "working_days"  # "N个工作日"


class Kind(StrEnum):
    """Whether missing the due date is a breach or just the end of an option."""

    DUTY = "duty"
    """An organ must act by the due date; after it the limit is overdue."""

    WINDOW = "window"
    """A party may act until the due date; after it the window has expired (no breach).

    The petitioner's review and re-review requests (T7, T9), and the receiving organ's objection to
    a mis-transferred item (T4).
    """


class Owner(StrEnum):
    """Who has to act (or may act) within the limit."""

    PETITION_OFFICE = "petition_office"  # 党委和政府信访部门
    RECEIVING_ORGAN = "receiving_organ"  # 收到信访事项的其他机关、单位
    COMPETENT_ORGAN = "competent_organ"  # 有权处理的机关、单位
    REVIEW_ORGAN = "review_organ"  # 复查机关（原办理机关的上一级）
    RE_REVIEW_ORGAN = "re_review_organ"  # 复核机关（复查机关的上一级）
    PETITIONER = "petitioner"  # 信访人


@dataclass(frozen=True)
class Statute:
    """One statutory time limit."""

    code: str
    step: str
    step_en: str
    days: int | None  # None: set case by case (T5, by the assigning body)
    unit: Unit
    kind: Kind
    owner: Owner
    starts: str  # what starts the count; that day itself is not counted
    basis: str
    max_extension_days: int = 0
    pausable: bool = False
    notes: str = ""


_ROWS: tuple[Statute, ...] = (
    Statute(
        code="T1",
        step="登记并转送、交办",
        step_en="Register the item and route it (transfer, assign or refer)",
        days=15,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.PETITION_OFFICE,
        starts="收到信访事项之日",
        basis=f"{R22}第二十二条第一款；{R05}第二十一条第一款",
        notes="No extension.",
    ),
    Statute(
        code="T1a",
        step="逐级转送（本级信访部门的分级时限）",
        step_en="Transfer down the chain (per-level share of the 15 days)",
        days=3,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.PETITION_OFFICE,
        starts="本级收到信访事项之日",
        basis=f"{R22}第二十二条第一款（十五日总时限）；国信发〔2014〕16号第六条",
        notes=(
            "State Bureau 5, province 3, city 3, county 4 (15 in total); the row holds the "
            "province/city default of 3. Secondary source 国信发〔2014〕16号 Art. 6. Started for "
            "a lower petition office that receives the item by transfer, with its level's share "
            "(setting XINFANG_TRANSFER_SHARES) and never past the round's T1 due date: see "
            "xinfang.deadlines.chain."
        ),
    ),
    Statute(
        code="T2",
        step="书面告知信访人（直接提出的信访事项）",
        step_en="Written notice to the petitioner of a directly submitted item",
        days=15,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.RECEIVING_ORGAN,
        starts="收到信访事项之日",
        basis=f"{R22}第二十三条第二款；{R05}第二十二条第二款",
        notes=(
            "On the spot where possible, otherwise within 15 days. No duty when the "
            "petitioner's name or address is unclear (姓名（名称）、住址不清的除外). No extension."
        ),
    ),
    Statute(
        code="T3",
        step="书面告知信访人接收情况以及处理途径和程序（转送、交办的信访事项）",
        step_en="Written notice to the petitioner of a transferred or assigned item",
        days=15,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.RECEIVING_ORGAN,
        starts="收到转送、交办的信访事项之日",
        basis=f"{R22}第二十三条第三款；{R05}第二十一条第二款",
        notes=(
            "Item within the organ's powers. R05 required a decision whether to accept "
            "(决定是否受理并书面告知). No extension."
        ),
    ),
    Statute(
        code="T4",
        step="对不属于本机关职权范围的转送、交办事项提出异议",
        step_en="Object to a mis-transferred or mis-assigned item",
        days=5,
        unit=Unit.WORKING_DAYS,
        kind=Kind.WINDOW,
        owner=Owner.RECEIVING_ORGAN,
        starts="收到转送、交办的信访事项之日",
        basis=f"{R22}第二十三条第三款",
        notes=(
            "Objection with detailed reasons; materials are returned once the transferring "
            "office agrees. A window: once it lapses (or the organ acknowledges the item) the "
            "organ handles the item. No R05 equivalent."
        ),
    ),
    Statute(
        code="T5",
        step="反馈交办事项办理结果并提交办结报告",
        step_en="Report the result of an assigned item",
        days=None,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.COMPETENT_ORGAN,
        starts="交办之日",
        basis=f"{R22}第二十二条第一款第三项；{R05}第二十一条第一款第四项",
        notes=(
            "The period is set by the assigning body (指定办理期限); pass days= to due_date. "
            "Extension needs the assigning body's approval ([SD] Art. 42 para 2)."
        ),
    ),
    Statute(
        code="T6",
        step="办理并出具信访处理意见书",
        step_en="Handle the item and issue the written handling opinion",
        days=60,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.COMPETENT_ORGAN,
        starts="受理之日",
        basis=f"{R22}第三十四条；{R05}第三十三条",
        max_extension_days=30,
        notes=(
            "Applies to Art. 31(6) items. Complex cases: at most 30 more days, approved by the "
            "organ's head, and the petitioner must be told the reason (告知信访人延期理由). "
            "R05 Art. 33 applied the limit to all items, subject to other laws."
        ),
    ),
    Statute(
        code="T7",
        step="请求复查",
        step_en="Petitioner requests review",
        days=30,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.WINDOW,
        owner=Owner.PETITIONER,
        starts="收到书面答复（信访处理意见）之日",
        basis=f"{R22}第三十五条；{R05}第三十四条",
        notes="To the organ one level above the original handler.",
    ),
    Statute(
        code="T8",
        step="提出复查意见并予以书面答复",
        step_en="Issue the review opinion with a written reply",
        days=30,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.REVIEW_ORGAN,
        starts="收到复查请求之日",
        basis=f"{R22}第三十五条；{R05}第三十四条",
        notes="No extension in national law ([BJ] Art. 50 allows +30 days; local variant).",
    ),
    Statute(
        code="T9",
        step="请求复核",
        step_en="Petitioner requests re-review",
        days=30,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.WINDOW,
        owner=Owner.PETITIONER,
        starts="收到书面复查答复之日",
        basis=f"{R22}第三十六条第一款；{R05}第三十五条第一款",
        notes="To the organ one level above the review organ.",
    ),
    Statute(
        code="T10",
        step="提出复核意见",
        step_en="Issue the re-review opinion",
        days=30,
        unit=Unit.CALENDAR_DAYS,
        kind=Kind.DUTY,
        owner=Owner.RE_REVIEW_ORGAN,
        starts="收到复核请求之日",
        basis=f"{R22}第三十六条第一款、第二款；{R05}第三十五条第一款、第二款",
        pausable=True,
        notes=(
            "Time spent on a hearing (听证) is not counted (听证所需时间不计算在前款规定的期限内). "
            "No extension in national law ([BJ] Art. 50 allows +30 days; local variant). "
            "The re-review opinion is final (Art. 36 para 3)."
        ),
    ),
)

STATUTES: Mapping[str, Statute] = MappingProxyType({row.code: row for row in _ROWS})
"""T1, T1a, T2 … T10 in that order, keyed by code."""


def statute(code: str) -> Statute:
    """The statute with the given code; ``KeyError`` naming the known codes otherwise."""
    try:
        return STATUTES[code]
    except KeyError:
        known = ", ".join(STATUTES)
        raise KeyError(f"unknown statute code {code!r}; known codes: {known}") from None


def due_date(
    st: Statute,
    start: date,
    cal: WorkCalendar,
    *,
    roll_to_working_day: bool = True,
    days: int | None = None,
    extension_days: int = 0,
    paused_days: int = 0,
) -> date:
    """The last day allowed for ``st`` when the count starts on ``start``.

    The starting day is not counted and the period ends at 24:00 of the returned day (民法典
    Arts. 201 and 203 by analogy).

    * ``days`` overrides ``st.days``; it is required when ``st.days`` is None (T5).
    * ``extension_days`` must be within ``0..st.max_extension_days`` (T6: 30, Art. 34).
    * ``paused_days`` is only allowed for a pausable statute (T10: hearing time is not counted,
      Art. 36 para 2); it pushes the due date by that many calendar days.
    * Calendar-day limits roll a last day that is a rest day to the next working day when
      ``roll_to_working_day``, except a limit with no period of its own (T5): its date was set by
      a person and is kept as set (民法典 Art. 203 para 1 by analogy); working-day limits always end
      on a working day, so the flag does not affect them.

    Raises ``ValueError`` for any of these rules broken or a negative count.
    """
    n = st.days if days is None else days
    if n is None:
        raise ValueError(f"{st.code} has no fixed period (set by the assigning body); pass days=")
    if n < 0:
        raise ValueError(f"{st.code}: days must not be negative, got {n}")
    if not 0 <= extension_days <= st.max_extension_days:
        if st.max_extension_days == 0:
            raise ValueError(f"{st.code} allows no extension, got extension_days={extension_days}")
        raise ValueError(
            f"{st.code}: extension_days must be between 0 and {st.max_extension_days}, "
            f"got {extension_days}"
        )
    if paused_days < 0:
        raise ValueError(f"{st.code}: paused_days must not be negative, got {paused_days}")
    if paused_days and not st.pausable:
        raise ValueError(f"{st.code} cannot be paused, got paused_days={paused_days}")

    if st.unit == Unit.CALENDAR_DAYS:
        # A date a person set (T5: the report date the assigning office fixed, Art. 22(3)) is
        # kept as set: the roll-over of 民法典 Art. 203 is for periods counted by law.
        roll = roll_to_working_day and st.days is not None
        return add_calendar_days(start, n + extension_days + paused_days, cal, roll_to_working_day=roll)
    # Working days: a pause (none in national law today) shifts the start by the paused
    # calendar days, so paused time is simply not counted.
    return add_working_days(start + timedelta(days=paused_days), n + extension_days, cal)


class Status(StrEnum):
    """Where a limit stands on a given day."""

    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"  # a DUTY past its due date
    MET = "met"
    PAUSED = "paused"
    EXPIRED = "expired"  # a WINDOW past its due date: the option lapsed, no breach
    VOID = "void"  # no longer owed, e.g. the objection window once the organ acknowledged


def status_on(
    *,
    due: date,
    today: date,
    kind: Kind,
    met: bool = False,
    void: bool = False,
    paused: bool = False,
    due_soon_days: int = 3,
) -> Status:
    """The status of a limit due on ``due``, as seen on ``today``.

    Checked in order: ``met`` → MET; ``void`` → VOID; ``paused`` → PAUSED; past the due date →
    OVERDUE for a DUTY, EXPIRED for a WINDOW; at most ``due_soon_days`` days left → DUE_SOON;
    otherwise RUNNING. The due date itself is the last day allowed (the period ends at 24:00 of
    that day, 民法典 Art. 203 para 2 by analogy), so ``today == due`` is DUE_SOON, not overdue.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must not be negative, got {due_soon_days}")
    if met:
        return Status.MET
    if void:
        return Status.VOID
    if paused:
        return Status.PAUSED
    if today > due:
        return Status.OVERDUE if kind == Kind.DUTY else Status.EXPIRED
    if (due - today).days <= due_soon_days:
        return Status.DUE_SOON
    return Status.RUNNING
