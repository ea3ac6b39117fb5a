"""Hearings as a user may see them (``access.hearing_scope``), and the T10 clock of a re-review
hearing: the due date as the law alone gives it, the days the hearing took, the due date now in
force, and why (Art. 36 para 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext, ngettext

from xinfang.core.errors import NotFound
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.statutes import STATUTES, due_date
from xinfang.directory.models import User
from xinfang.resolution.access import hearing_scope
from xinfang.resolution.models import Hearing, HearingStage
from xinfang.resolution.selectors.supervision import PAGE, Page, keyset_page


def hearing_list_for_user(
    *,
    user: User,
    status: str = "",
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    qs = (
        Hearing.objects.filter(hearing_scope(user))
        .select_related("organ", "petition")
        .only(
            "pk",
            "status",
            "stage",
            "scheduled_for",
            "notice_number",
            "organ__name",
            "petition__tracking_code",
        )
    )
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def hearing_get_for_user(*, user: User, hearing_id: int) -> Hearing:
    hearing = (
        Hearing.objects.filter(hearing_scope(user), pk=hearing_id)
        .select_related("organ", "petition")
        .prefetch_related("participants")
        .first()
    )
    if hearing is None:
        raise NotFound(gettext("未找到该听证，或不在您的查看范围内"))
    return hearing


@dataclass(frozen=True)
class Clock:
    """The re-review time limit (T10) around a hearing."""

    start: date
    statutory_due: date  # 30 days from the request, no hearing counted out
    paused_days: int  # the hearing days already counted out
    paused_since: date | None  # the hearing is under way: T10 stands still
    due: date  # the due date in force
    outcome: str
    reason: str


def hearing_clock(*, hearing: Hearing) -> Clock | None:
    """The T10 of a re-review hearing's petition (the latest), with the reason its due date
    moved; None for a hearing in handling (Art. 31(6): the 60 days run on) or no T10."""
    if hearing.stage != HearingStage.RE_REVIEW:
        return None
    d = (
        Deadline.objects.filter(petition_id=hearing.petition_id, code="T10")
        .order_by("-start_date", "-pk")
        .first()
    )
    if d is None:
        return None
    statutory = due_date(
        STATUTES["T10"],
        d.start_date,
        holidays.calendar_in_force(),
        roll_to_working_day=settings.XINFANG_ROLL_DEADLINE_TO_WORKING_DAY,
    )
    since = hearing.started_on if d.paused else None
    if d.paused:
        reason = gettext(
            "听证自 %(start)s 起进行中，复核期限暂停计算；听证结束后顺延听证所用天数"
            "（听证所需时间不计算在复核期限内，《信访工作条例》第三十六条第二款）"
        ) % {"start": since}
    elif d.paused_days:
        reason = ngettext(
            "听证所用 %(n)s 日不计算在复核期限内，届满日由 %(before)s 顺延至 %(after)s"
            "（《信访工作条例》第三十六条第二款）",
            "听证所用 %(n)s 日不计算在复核期限内，届满日由 %(before)s 顺延至 %(after)s"
            "（《信访工作条例》第三十六条第二款）",
            d.paused_days,
        ) % {"n": d.paused_days, "before": statutory, "after": d.due_date}
    else:
        reason = gettext("复核机关自收到复核请求之日起30日内提出复核意见（第三十六条第一款）")
    return Clock(
        start=d.start_date,
        statutory_due=statutory,
        paused_days=d.paused_days,
        paused_since=since,
        due=d.due_date,
        outcome=d.outcome,
        reason=reason,
    )
