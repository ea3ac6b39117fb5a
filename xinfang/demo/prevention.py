"""Demo data of source prevention for the first county: its townships as organs, a screening
ledger over six months (mediated, settled, referred, some turned into petitions), two draft
decisions with their risk assessments, a joint-conference meeting with tasks, a policy matter.
Everything goes through the prevention services, as the staff would do it. Matters, decisions
and organs only: no person is rated or listed (DEVELOPERS.md principle 3)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from xinfang.demo._common import _local
from xinfang.demo.organs import _Staff, _Unit
from xinfang.demo.texts import _GIVEN, _SURNAMES
from xinfang.directory.models import Level, Organ, OrganKind, Region
from xinfang.directory.services import organ_create
from xinfang.petitions.models import Petition
from xinfang.prevention import services as prevention

_DISPUTES = (
    (
        "land",
        "{v}村二组",
        "两户村民因承包地边界发生争执，一方在地界上砌墙。",
        "拆除越界围墙",
        "按原承包合同确认地界",
    ),
    (
        "wages",
        "{t}工业园",
        "某服装厂拖欠二十余名工人两个月工资。",
        "支付拖欠工资",
        "资金周转困难，请求分期支付",
    ),
    (
        "resettlement",
        "{t}老街东段",
        "安置房交付延期，住户对过渡费标准有异议。",
        "按期交房并提高过渡费",
        "按协议标准支付",
    ),
    (
        "neighbours",
        "{v}村五组",
        "楼上住户装修漏水，楼下住户天花板受损。",
        "赔偿维修费用",
        "同意维修，不同意赔偿金额",
    ),
    (
        "environment",
        "{t}集镇",
        "养殖场异味影响周边居民生活。",
        "搬迁或整改养殖场",
        "已加装除臭设备",
    ),
    (
        "property",
        "{t}某小区",
        "物业公司停车收费标准调整，业主不同意。",
        "恢复原收费标准",
        "按业主大会决议执行",
    ),
    (
        "family",
        "{v}村三组",
        "赡养老人问题兄妹之间发生争执。",
        "兄妹共同承担赡养费用",
        "按各自能力分担",
    ),
    (
        "contract",
        "{t}农贸市场",
        "摊位租赁合同到期后续租价格争议。",
        "按原价续租",
        "按市场价调整租金",
    ),
)
_STEPS = ("visit", "talk", "mediation", "legal_aid")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}"


def _townships(county: _Unit) -> list[Organ]:
    out = []
    for i, town in enumerate(county.towns, start=1):
        region = Region.objects.create(
            code=f"{county.region.code}{i:03d}",
            name=town,
            level=Level.TOWNSHIP,
            parent=county.region,
        )
        suffix = "办事处" if town.endswith("街道") else "人民政府"
        out.append(
            organ_create(
                name=f"{town}{suffix}",
                kind=OrganKind.COMPETENT,
                level=Level.TOWNSHIP,
                region=region,
                parent=county.gov,
            )
        )
    return out


def prevention_seed(
    *, county: _Unit, staff: _Staff, rng: random.Random, today: date, per_town: int = 30
) -> dict[str, int]:
    """Fill the first county's prevention records (idempotent per fresh demo database)."""
    at = _local(today, 17 * 60)
    with transaction.atomic():
        towns = _townships(county)
    gov_officer = staff.officer(county.gov)
    # petitions held by the county's departments: what the county government may see
    nearby = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path, is_open=True, accused_organ__isnull=True
        )
        .order_by("pk")
        .values_list("tracking_code", flat=True)[:40]
    )
    policy_codes, decision_codes, nearby = nearby[:3], nearby[3:6], nearby[6:]
    count = 0
    with transaction.atomic():
        for town in towns:
            clerk = staff.officer(town)
            village = town.region.name[:2]
            for k in range(per_town):
                kind, place, summary, ask_a, ask_b = _DISPUTES[rng.randrange(len(_DISPUTES))]
                found = today - timedelta(days=rng.randint(1, 180))
                d = prevention.dispute_record(
                    actor=clerk,
                    organ=town,
                    kind=kind,
                    place=place.format(v=f"{village}{'东西南北'[k % 4]}", t=town.region.name),
                    summary=summary,
                    found_on=found,
                    responsible=_name(rng),
                    parties=[
                        prevention.PartyInput(side="applicant", name=_name(rng), asks=ask_a),
                        prevention.PartyInput(side="respondent", name=_name(rng), asks=ask_b),
                    ],
                    at=at,
                )
                count += 1
                roll = rng.random()
                if roll < 0.2:
                    continue  # still being screened
                step_on = min(today, found + timedelta(days=rng.randint(1, 10)))
                prevention.dispute_step_add(
                    actor=clerk,
                    dispute_id=d.pk,
                    kind=rng.choice(_STEPS),
                    on=step_on,
                    note="组织双方当面沟通，讲解相关法律政策。",
                    at=at,
                )
                if roll < 0.45:
                    continue  # mediating
                closed = min(today, step_on + timedelta(days=rng.randint(1, 20)))
                if roll < 0.8:
                    prevention.dispute_close(
                        actor=clerk,
                        dispute_id=d.pk,
                        outcome="settled",
                        on=closed,
                        note="双方达成调解协议并已履行。",
                        at=at,
                    )
                elif roll < 0.9 or not nearby:
                    prevention.dispute_close(
                        actor=clerk,
                        dispute_id=d.pk,
                        outcome=rng.choice(["court", "arbitration", "organ"]),
                        on=closed,
                        referred_to=f"{county.name}人民法院",
                        note="引导当事人依法维权。",
                        at=at,
                    )
                else:
                    prevention.dispute_close(
                        actor=gov_officer,
                        dispute_id=d.pk,
                        outcome="petition",
                        on=closed,
                        tracking_code=nearby.pop(),
                        note="当事人选择信访，已登记。",
                        at=at,
                    )
    _decisions(county, towns, gov_officer, decision_codes, rng, today, at)
    _conference(county, gov_officer, towns, today, at)
    _policy(county, gov_officer, policy_codes, today, at)
    return {"disputes": count, "townships": len(towns)}


def _decisions(county, towns, officer, nearby, rng, today, at) -> None:  # type: ignore[no-untyped-def]
    d = prevention.decision_register(
        actor=officer,
        organ=county.gov,
        kind="project",
        title=f"{towns[0].region.name}老街棚户区改造项目",
        scope="老街东段 120 户住房及沿街商铺",
        people_affected=420,
        summary="拆除老街东段危旧房屋，原地新建安置房，过渡期 24 个月。",
        at=at,
    )
    prevention.assessment_work_add(
        actor=officer,
        decision_id=d.pk,
        kind="hearing",
        held_on=today - timedelta(days=150),
        participants=86,
        findings="多数住户同意改造，对补偿标准和过渡期有疑虑。",
        at=at,
    )
    prevention.assessment_work_add(
        actor=officer,
        decision_id=d.pk,
        kind="survey",
        held_on=today - timedelta(days=140),
        participants=310,
        findings="八成受访住户支持，关注安置房质量。",
        at=at,
    )
    r1 = prevention.risk_point_add(
        actor=officer,
        decision_id=d.pk,
        description="补偿标准低于周边项目",
        likelihood=3,
        impact=3,
        measures="公开测算依据，参照周边项目调整补偿标准。",
    )
    prevention.risk_point_add(
        actor=officer,
        decision_id=d.pk,
        description="过渡期延长引发不满",
        likelihood=2,
        impact=2,
        measures="合同约定延期过渡费递增。",
    )
    prevention.decision_plan_set(
        actor=officer,
        decision_id=d.pk,
        contingency_plan="设立现场接待点，县信访局、住建局派员值守；出现聚集时由镇政府负责人现场接待。",
        assessor="东湖市社会稳定风险评估中心",
    )
    prevention.decision_conclude(
        actor=officer,
        decision_id=d.pk,
        conclusion="proceed_with_measures",
        reason="落实补偿和过渡期措施后风险可控。",
        on=today - timedelta(days=120),
        at=at,
    )
    for code in nearby[:2]:
        prevention.decision_link_add(
            actor=officer, decision_id=d.pk, tracking_code=code, risk_id=r1.pk, at=at
        )
    if len(nearby) > 2:
        prevention.decision_link_add(
            actor=officer, decision_id=d.pk, tracking_code=nearby[2], note="施工噪声", at=at
        )
    from xinfang.prevention.models import Dispute

    for dispute_id in Dispute.objects.filter(
        organ=towns[0], kind__in=["neighbours", "environment"]
    ).values_list("pk", flat=True)[:2]:
        prevention.decision_link_add(
            actor=officer, decision_id=d.pk, dispute_id=dispute_id, note="施工噪声和扬尘", at=at
        )
    d2 = prevention.decision_register(
        actor=officer,
        organ=county.gov,
        kind="decision",
        title=f"{county.name}垃圾中转站选址",
        scope="县城北部三个村",
        people_affected=3000,
        summary="在县城北部新建垃圾中转站一座。",
        at=at,
    )
    prevention.assessment_work_add(
        actor=officer,
        decision_id=d2.pk,
        kind="public_comment",
        held_on=today - timedelta(days=10),
        participants=57,
        findings="周边居民担心异味和运输噪声。",
        at=at,
    )


def _conference(county, officer, towns, today, at) -> None:  # type: ignore[no-untyped-def]
    members = [county.depts["housing"].pk, county.court.pk, county.po.pk, towns[0].pk]
    c = prevention.conference_record(
        actor=officer,
        organ=county.gov,
        title=f"{county.name}信访工作联席会议第二次全体会议",
        held_on=today - timedelta(days=20),
        member_ids=members,
        chair="县委副书记",
        place="县政府三楼会议室",
        at=at,
    )
    item = prevention.agenda_item_add(
        actor=officer,
        conference_id=c.pk,
        kind="other",
        title="老街棚改安置房交付延期问题",
        decision="县住建局牵头，十日内提出交付方案；县法院开通诉调对接通道。",
    )
    t1 = prevention.conference_task_assign(
        actor=officer,
        item_id=item.pk,
        organ_id=county.depts["housing"].pk,
        description="提出安置房交付方案并书面答复",
        due_on=today - timedelta(days=10),
    )
    prevention.conference_task_assign(
        actor=officer,
        item_id=item.pk,
        organ_id=county.court.pk,
        description="开通诉调对接通道",
        due_on=today + timedelta(days=10),
    )
    prevention.task_entry_add(
        actor=officer,
        task_id=t1.pk,
        kind="follow_up",
        on=today - timedelta(days=5),
        body="已超期，请于三日内报送方案。",
        at=at,
    )


def _policy(county, officer, nearby, today, at) -> None:  # type: ignore[no-untyped-def]
    m = prevention.policy_matter_create(
        actor=officer,
        organ=county.gov,
        title="企业军转干部生活困难补助标准不统一",
        description="多件信访反映企业军转干部生活困难补助各乡镇标准不一、发放不及时。",
        at=at,
    )
    for code in nearby:
        prevention.policy_matter_link(actor=officer, matter_id=m.pk, tracking_code=code, at=at)
    prevention.policy_matter_respond(
        actor=officer,
        matter_id=m.pk,
        response_kind="fund",
        response="县财政设立企业军转干部生活困难专项补助资金，全县统一标准、按季发放。",
        on=today - timedelta(days=3),
        at=at,
    )
