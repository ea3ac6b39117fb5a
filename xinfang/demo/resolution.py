"""Demo data of supervision (督办, Art. 40) for the first county: its petition office supervises
the departments holding long-open petitions: one notice answered in writing in time, one
listed (挂牌督办) and left overdue, a third near its date where the data allow; then the escalation ladder runs as ``xinfang tick`` would. Through
the resolution services, as the staff would do it."""

from __future__ import annotations

import random
from datetime import date, timedelta

from xinfang.core.errors import ApplicationError
from xinfang.demo._common import _local
from xinfang.demo.organs import _Staff, _Unit
from xinfang.petitions.models import Petition
from xinfang.resolution import services as resolution

_FACTS = (
    ("delay", "以下信访事项转送后长期未办结，未按规定期限出具处理意见，请依法加快办理并书面反馈。"),
    ("buck_passing", "以下信访事项在部门之间多次推诿，信访人反复来访，请明确责任、依法办理。"),
    ("perfunctory", "以下信访事项答复内容空泛，未回应信访人的具体诉求，请重新核查并书面反馈。"),
)
_REPLY = "已成立工作专班逐件核查，已于本月内向信访人出具书面处理意见，并建立台账跟踪落实。"


def resolution_seed(
    *, county: _Unit, staff: _Staff, rng: random.Random, today: date
) -> dict[str, int]:
    """Supervision notices of the first county (best effort: a refused one is skipped)."""
    office = staff.officer(county.po)
    rows = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            is_open=True,
            accused_organ__isnull=True,
        )
        .exclude(current_organ__kind="petition_office")
        .order_by("last_event_at", "pk")
        .values_list("pk", "current_organ_id", "last_event_at")[:200]
    )
    from xinfang.directory.models import Organ

    used: set[int] = set()
    made = 0
    # answered in writing in time; listed and overdue, its ladder climbed; near its date
    for i, days_ago in enumerate((40, 35, 27)):
        at = _local(today - timedelta(days=days_ago), 10 * 60)
        fits = [(pk, o) for pk, o, last in rows if last < at and pk not in used]
        if not fits:
            continue
        organ_id = fits[0][1]
        pks = [pk for pk, o in fits if o == organ_id][:2]
        used.update(pks)
        reason, facts = _FACTS[i % len(_FACTS)]
        try:
            n = resolution.supervision_issue(
                actor=office,
                organ=Organ.objects.get(pk=organ_id),
                petition_ids=pks,
                reasons=[reason, "delay"] if reason != "delay" else [reason],
                facts=facts,
                listed=i == 1,
                at=at,
                reply_due=at.date() + timedelta(days=30),
            )
        except ApplicationError:
            continue
        made += 1
        if i == 0:
            try:
                resolution.supervision_reply(
                    actor=staff.officer(n.organ),
                    notice_id=n.pk,
                    reply=_REPLY,
                    at=at + timedelta(days=20),
                )
            except ApplicationError:
                pass
    steps = resolution.escalate(now=_local(today, 8 * 60))
    return {"notices": made, **steps}


def hearing_relief_seed(*, county: _Unit, staff: _Staff, today: date) -> dict[str, int]:
    """Hearings (Arts. 31(6), 36) and relief (Art. 37) of the first county, best effort: a
    hearing scheduled for next week and one under way (at re-review its T10 stands still), a
    relief fund of the county petition office with one application paid and one waiting for
    the organ head."""
    from decimal import Decimal

    from xinfang.core import clock

    now = clock.now()
    made = {"hearings": 0, "relief": 0}
    rows = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            state__in=("in_handling", "re_review_requested"),
            route=6,
            in_hearing=False,
            accused_organ__isnull=True,
        )
        .order_by("-state", "pk")
        .values_list("pk", "current_organ_id")[:2]
    )
    from xinfang.directory.models import Organ

    for i, (pk, organ_id) in enumerate(rows):
        officer = staff.officer(Organ.objects.get(pk=organ_id))
        try:
            h = resolution.hearing_schedule(
                actor=officer,
                petition_id=pk,
                scheduled_for=now + (timedelta(days=7) if i == 0 else timedelta(minutes=1)),
                place="县信访局听证室",
                reason="涉及多户群众，事实争议较大，属重大、复杂的信访事项",
                participants=[
                    ("presiding", "主持人（机关负责人）", officer.organ.name),
                    ("panel", "听证员（律师）", "县律师协会"),
                    ("panel", "听证员（群众代表）", "社区居民委员会"),
                    ("petitioner", "信访人", ""),
                    ("organ", "承办人", officer.organ.name),
                ],
            )
            if i == 1:
                resolution.hearing_open(actor=officer, hearing_id=h.pk)
        except ApplicationError:
            continue
        made["hearings"] += 1
    head = staff.officer(county.po)
    try:
        fund = resolution.relief_fund_allocate(
            actor=head, year=today.year, amount=Decimal("50000"), note="县级信访救助资金拨入"
        ).fund
    except ApplicationError:
        return made
    open_rows = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            is_open=True,
            accused_organ__isnull=True,
        )
        .exclude(current_organ__kind="petition_office")
        .order_by("pk")
        .values_list("pk", "current_organ_id")[:2]
    )
    for i, (pk, organ_id) in enumerate(open_rows):
        officer = staff.officer(Organ.objects.get(pk=organ_id))
        try:
            app = resolution.relief_apply(
                actor=officer,
                petition_id=pk,
                fund_id=fund.pk,
                reasons="信访人家庭生活困难，符合临时救助条件",
                hardship="家庭成员患重病，医疗支出大，收入微薄",
                amount=Decimal("3000") if i == 0 else Decimal("1500"),
            )
            if i == 0:
                resolution.relief_decide(actor=officer, application_id=app.pk, approve=True)
                resolution.relief_decide(
                    actor=head, application_id=app.pk, approve=True, amount=Decimal("2000")
                )
                resolution.relief_pay(actor=head, application_id=app.pk, amount=Decimal("2000"))
        except ApplicationError:
            continue
        made["relief"] += 1
    return made
