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
