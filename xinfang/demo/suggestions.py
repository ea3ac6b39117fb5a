"""Demo data of people's suggestions (Art. 29) and mediation (Art. 33) for the first county,
best effort, through the resolution services as the staff would do it: a few suggestions under
study are decided - one adopted and listed on the public portal (with a commendation), one
partly adopted, one not adopted - and one matter in handling is mediated to a signed agreement
(settled)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from xinfang.core.errors import ApplicationError
from xinfang.demo._common import _local
from xinfang.demo.organs import _Staff, _Unit
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.resolution import services as resolution

_SUBJECTS = (
    "建议在老旧小区增设电动自行车集中充电设施",
    "建议延长社区卫生服务中心周末门诊时间",
    "建议在学校周边增设上下学时段交通疏导",
)
_DECISIONS = (
    (
        "adopted",
        "经研究论证，该建议科学合理、切实可行，本机关予以采纳：年内在辖区老旧小区分批建设电动自行车"
        "集中充电设施，由街道、社区和物业共同管理。感谢您对本机关工作的支持。",
        "已采纳：年内在辖区老旧小区分批建设电动自行车集中充电设施，由街道、社区和物业共同管理。",
    ),
    (
        "partly",
        "经研究论证，周六门诊可以延长至17时，予以采纳；周日全天门诊受人员编制所限，暂不具备条件。",
        "部分采纳：周六门诊延长至17时；周日门诊待人员充实后再行研究。",
    ),
    (
        "not_adopted",
        "经研究论证，该路段上下学时段已由公安交管部门安排警力疏导，增设专门岗位的条件暂不具备，"
        "本机关将继续会同有关部门关注。",
        "",
    ),
)


def suggestion_answer(
    *, actor: User, petition_id: int, subject: str, reply: str, at: datetime
) -> None:
    """Answer a suggestion of the driven history as the staff must (Art. 29): open its study
    two days before the answer and decide it - adopted, not listed publicly - the decision
    taking the ``reply`` step itself (a plain reply is refused by the resolution hook)."""
    s = resolution.suggestion_open(
        actor=actor,
        petition_id=petition_id,
        subject=subject,
        study="征求了有关部门的意见，进行了研究论证。",
        at=at - timedelta(days=2),
    )
    resolution.suggestion_decide(
        actor=actor,
        suggestion_id=s.pk,
        decision="adopted",
        reply=reply,
        publish=False,
        at=at,
    )


def suggestion_mediation_seed(*, county: _Unit, staff: _Staff, today: date) -> dict[str, int]:
    """Suggestions decided and one mediation settled in the first county (skipped where the
    data do not allow it), dated from the seed's ``today``, never the wall clock: the day
    before it, as the rest of the demo's history lies wholly in the past."""
    day = today - timedelta(days=1)
    now = _local(day, 10 * 60)
    made = {"suggestions": 0, "mediations": 0}
    from xinfang.directory.models import Organ

    rows = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            state="suggestion_review",
            category="suggestion",
        )
        .order_by("pk")
        .values_list("pk", "current_organ_id")[: len(_SUBJECTS)]
    )
    for i, (pk, organ_id) in enumerate(rows):
        officer = staff.officer(Organ.objects.get(pk=organ_id))
        decision, reply, summary = _DECISIONS[i]
        try:
            s = resolution.suggestion_open(
                actor=officer,
                petition_id=pk,
                subject=_SUBJECTS[i],
                study="征求了有关部门和社区居民代表的意见，进行了实地调研。",
                at=now - timedelta(days=10),
            )
            s = resolution.suggestion_decide(
                actor=officer,
                suggestion_id=s.pk,
                decision=decision,
                reply=reply,
                reply_summary=summary,
                publish=bool(summary),
                at=now,
            )
            if i == 0:
                resolution.suggestion_recognise(
                    actor=officer,
                    suggestion_id=s.pk,
                    kind="commend",
                    description="该建议被全县推广，予以通报表扬。",
                    at=now,
                )
        except ApplicationError:
            continue
        made["suggestions"] += 1
    from xinfang.resolution.models import Hearing

    heard = Hearing.objects.values("petition_id")
    handling = Petition.objects.filter(
        state="in_handling", category="appeal", in_hearing=False, accused_organ__isnull=True
    ).exclude(pk__in=heard)
    # the first county's where it has one, else any (the hearings may have taken its few)
    row = (
        handling.filter(current_organ__path__startswith=county.gov.path)
        .order_by("-pk")
        .values_list("pk", "current_organ_id")
        .first()
    ) or handling.order_by("-pk").values_list("pk", "current_organ_id").first()
    if row is not None:
        officer = staff.officer(Organ.objects.get(pk=row[1]))
        try:
            m = resolution.mediation_record(
                actor=officer,
                petition_id=row[0],
                kind="mediation",
                held_on=day,
                place="县人民调解中心",
                mediator="县人民调解员",
                present="信访人；对方当事人；承办人",
                agreed="对方当事人于一个月内返还押金并赔偿损失人民币三千元。",
                consent=True,
                signers=[("petitioner", "信访人"), ("other", "对方当事人")],
                at=now,
            )
            for signer in m.signers.all():
                resolution.mediation_sign(
                    actor=officer,
                    mediation_id=m.pk,
                    signer_id=signer.pk,
                    signed=True,
                    method="in_person",
                    on=day,
                    at=now,
                )
            made["mediations"] += 1
        except ApplicationError:
            pass
    return made
