"""The risk assessment of a major decision: registered, assessed (work, risk points, plan),
concluded under the rules, then the petitions and disputes raised about it linked against the
risks foreseen; bad input refused clearly and nothing half saved; the DOCX report."""

from __future__ import annotations

import io
from datetime import date

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.prevention import rules
from xinfang.prevention.models import AssessmentWork, Decision, DecisionLink, RiskPoint
from xinfang.prevention.selectors import decision_assessment
from xinfang.prevention.services import (
    assessment_work_add,
    decision_conclude,
    decision_link_add,
    decision_plan_set,
    decision_register,
    risk_point_add,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def decision(town):
    return decision_register(
        actor=town.clerk,
        organ=town.organ,
        kind="project",
        title="青山镇老街棚户区改造项目",
        scope="老街东段 120 户住房及沿街商铺",
        people_affected=420,
        summary="拆除老街东段危旧房屋，原地新建安置房。",
    )


def _assess(town, decision, *, measures="提高补偿标准并公开测算依据"):
    assessment_work_add(
        actor=town.clerk,
        decision_id=decision.pk,
        kind="hearing",
        held_on=date(2025, 8, 20),
        participants=86,
        findings="多数住户同意改造，对补偿标准有疑虑",
    )
    return risk_point_add(
        actor=town.clerk,
        decision_id=decision.pk,
        description="补偿标准低于周边项目",
        likelihood=3,
        impact=3,
        measures=measures,
    )


def test_the_risk_level_is_the_decisions_from_likelihood_and_impact():
    assert rules.risk_level(1, 2) == "low" and rules.risk_level(3, 1) == "medium"
    assert rules.risk_level(2, 3) == "high" and rules.decision_level([(1, 1), (2, 3)]) == "high"
    assert rules.decision_level([]) is None
    with pytest.raises(ValueError):
        rules.risk_level(4, 1)


def test_a_decision_is_assessed_and_concluded(town, decision):
    _assess(town, decision)
    decision_plan_set(
        actor=town.clerk,
        decision_id=decision.pk,
        contingency_plan="设立现场接待点",
        assessor="东湖市社会风险评估中心",
    )
    decision_conclude(
        actor=town.head,
        decision_id=decision.pk,
        conclusion="proceed_with_measures",
        reason="落实补偿措施后风险可控",
        on=date(2025, 8, 30),
    )
    decision.refresh_from_db()
    assert (decision.status, decision.conclusion, decision.concluded_by) == (
        "concluded",
        "proceed_with_measures",
        town.head,
    )
    a = decision_assessment(decision=decision, user=town.clerk)
    assert a.level == "high" and [r.level for r in a.risks] == ["high"]


def test_a_conclusion_needs_assessment_work_and_risk_points(town, decision):
    with pytest.raises(ApplicationError) as e:
        decision_conclude(
            actor=town.head,
            decision_id=decision.pk,
            conclusion="proceed",
            reason="无",
            on=date(2025, 8, 30),
        )
    assert len(e.value.fields["conclusion"]) == 2
    decision.refresh_from_db()
    assert decision.status == "assessing" and decision.conclusion == ""


def test_an_unmitigated_high_risk_cannot_conclude_proceed(town, decision):
    _assess(town, decision, measures="")
    with pytest.raises(ApplicationError) as e:
        decision_conclude(
            actor=town.head,
            decision_id=decision.pk,
            conclusion="proceed",
            reason="可以",
            on=date(2025, 8, 30),
        )
    assert "未制定防范化解措施" in e.value.fields["conclusion"][0]
    decision_conclude(
        actor=town.head,
        decision_id=decision.pk,
        conclusion="adjust",
        reason="先调整补偿方案",
        on=date(2025, 8, 30),
    )
    assert Decision.objects.get().conclusion == "adjust"


def test_only_deciding_roles_conclude_and_a_concluded_assessment_is_closed(town, decision):
    _assess(town, decision)
    with pytest.raises(Forbidden):
        decision_conclude(
            actor=town.clerk,
            decision_id=decision.pk,
            conclusion="adjust",
            reason="x",
            on=date(2025, 8, 30),
        )
    decision_conclude(
        actor=town.head,
        decision_id=decision.pk,
        conclusion="adjust",
        reason="x",
        on=date(2025, 8, 30),
    )
    with pytest.raises(ApplicationError) as e:
        risk_point_add(
            actor=town.clerk, decision_id=decision.pk, description="新风险", likelihood=1, impact=1
        )
    assert e.value.status == 409 and RiskPoint.objects.count() == 1
    with pytest.raises(ApplicationError) as e:
        decision_conclude(
            actor=town.head,
            decision_id=decision.pk,
            conclusion="proceed",
            reason="x",
            on=date(2025, 8, 30),
        )
    assert e.value.status == 409


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda t, d: risk_point_add(
                actor=t.clerk, decision_id=d.pk, description="", likelihood=1, impact=1
            ),
            "description",
        ),
        (
            lambda t, d: risk_point_add(
                actor=t.clerk, decision_id=d.pk, description="x", likelihood=0, impact=1
            ),
            "likelihood",
        ),
        (
            lambda t, d: risk_point_add(
                actor=t.clerk, decision_id=d.pk, description="x\x00", likelihood=1, impact=1
            ),
            "description",
        ),
        (
            lambda t, d: assessment_work_add(
                actor=t.clerk,
                decision_id=d.pk,
                kind="poll",
                held_on=date(2025, 8, 1),
                participants=1,
                findings="x",
            ),
            "kind",
        ),
        (
            lambda t, d: assessment_work_add(
                actor=t.clerk,
                decision_id=d.pk,
                kind="survey",
                held_on=date(2025, 9, 9),
                participants=1,
                findings="x",
            ),
            "held_on",
        ),
        (
            lambda t, d: assessment_work_add(
                actor=t.clerk,
                decision_id=d.pk,
                kind="survey",
                held_on=date(2025, 8, 1),
                participants=-1,
                findings="x",
            ),
            "participants",
        ),
    ],
)
def test_bad_assessment_input_is_refused_by_field(town, decision, call, field):
    with pytest.raises(ApplicationError) as e:
        call(town, decision)
    assert e.value.status == 400 and field in e.value.fields
    assert RiskPoint.objects.count() == 0 and AssessmentWork.objects.count() == 0


def test_a_register_with_bad_input_saves_nothing(town):
    with pytest.raises(ApplicationError) as e:
        decision_register(
            actor=town.clerk,
            organ=town.organ,
            kind="law",
            title="",
            scope="",
            people_affected=-3,
            summary="",
        )
    assert set(e.value.fields) == {"kind", "title", "scope", "summary", "people_affected"}
    assert Decision.objects.count() == 0


def test_outside_the_scope_a_decision_does_not_exist(town, decision, world):
    with pytest.raises(NotFound):
        risk_point_add(
            actor=world.handler, decision_id=decision.pk, description="x", likelihood=1, impact=1
        )


def test_later_petitions_and_disputes_are_shown_against_the_risk_foreseen(
    town, decision, record, register, world
):
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action

    risk = _assess(town, decision)
    p = register(
        title="棚改补偿标准过低", received_at=local(2025, 8, 28), at=local(2025, 8, 28)
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": town.organ.pk},
    )
    d = record(kind="resettlement")
    decision_link_add(
        actor=town.clerk, decision_id=decision.pk, tracking_code=p.tracking_code, risk_id=risk.pk
    )
    decision_link_add(actor=town.clerk, decision_id=decision.pk, dispute_id=d.pk, note="施工噪声")
    decision_link_add(
        actor=town.clerk, decision_id=decision.pk, dispute_id=d.pk
    )  # again: nothing new
    a = decision_assessment(decision=decision, user=town.clerk)
    assert [x.petition_id for x in a.risks[0].links] == [p.pk]
    assert [x.dispute_id for x in a.unforeseen] == [d.pk] and a.later_count == 2
    # someone who may not read the petition sees that it exists, not what it says
    leader_view = decision_assessment(decision=decision, user=town.analyst)
    assert leader_view.risks[0].links[0].shown is False


def test_a_link_needs_exactly_one_petition_or_dispute_the_actor_may_see(
    town, decision, record, register
):
    p = register(
        received_at=local(2025, 8, 28), at=local(2025, 8, 28)
    ).petition  # at the county office
    for kw in (
        {},
        {"tracking_code": p.tracking_code, "dispute_id": 1},
        {"tracking_code": p.tracking_code},
        {"dispute_id": 99999},
    ):
        with pytest.raises(ApplicationError):
            decision_link_add(actor=town.clerk, decision_id=decision.pk, **kw)
    other = decision_register(
        actor=town.clerk,
        organ=town.organ,
        kind="decision",
        title="另一决策",
        scope="x",
        people_affected=1,
        summary="x",
    )
    foreign_risk = risk_point_add(
        actor=town.clerk, decision_id=other.pk, description="x", likelihood=1, impact=1
    )
    with pytest.raises(ApplicationError) as e:
        decision_link_add(
            actor=town.clerk,
            decision_id=decision.pk,
            dispute_id=record().pk,
            risk_id=foreign_risk.pk,
        )
    assert "risk" in e.value.fields and DecisionLink.objects.count() == 0


def test_the_pages_from_registration_to_the_docx_report(client, town):
    from docx import Document

    client.force_login(town.clerk)
    r = client.post(
        "/prevention/decisions/new/",
        {
            "submission": "5b0f8f0e-1d7e-4b8e-9a51-5f9b6a7c8d9e",
            "organ": town.organ.pk,
            "kind": "decision",
            "title": "青山镇垃圾中转站选址",
            "scope": "镇区北部三个村",
            "people_affected": "3000",
            "summary": "在北部新建垃圾中转站",
        },
    )
    assert r.status_code == 302
    d = Decision.objects.get()
    base = f"/prevention/decisions/{d.pk}/"
    assert (
        client.post(
            base + "work/",
            {
                "kind": "survey",
                "held_on": "2025-08-20",
                "participants": "300",
                "findings": "担心异味",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            base + "risk/",
            {
                "description": "异味影响周边居民",
                "likelihood": "2",
                "impact": "3",
                "measures": "全封闭设计",
            },
        ).status_code
        == 302
    )
    r = client.post(base + "risk/", {"description": "保留此描述", "likelihood": "9", "impact": "3"})
    assert r.status_code == 400 and "保留此描述" in r.content.decode()
    assert (
        client.post(
            base + "conclude/", {"conclusion": "proceed", "reason": "x", "on": "2025-08-30"}
        ).status_code
        == 403
    )
    assert client.post(base + "nonsense/", {}).status_code == 404
    client.force_login(town.head)
    assert (
        client.post(
            base + "conclude/",
            {"conclusion": "proceed_with_measures", "reason": "落实封闭措施", "on": "2025-08-30"},
        ).status_code
        == 302
    )
    html = client.get(base).content.decode()
    assert "采取措施后实施" in html and "高风险" in html and "异味影响周边居民" in html
    r = client.get(base + "report.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert (
        "社会稳定风险评估报告" in text and "异味影响周边居民" in text and "采取措施后实施" in text
    )
    assert "全封闭设计" in text and "问卷调查" in text
    client.force_login(town.analyst)
    assert client.get(base).status_code == 404 or client.get(base).status_code == 403
    assert client.get("/prevention/decisions/").status_code == 403


def test_an_accusation_against_the_organ_is_not_counted_on_its_decision(
    world, town, decision, register
):
    """Art. 30 para 3: the organ's staff must not learn, even as one more in a count, that an
    accusation against their organ was linked to their decision (planted fault checked: the
    count without the organ-hints gate)."""
    from conftest import local
    from xinfang.prevention.selectors import decisions_for_user

    accusation = register(
        category="accusation",
        route=None,
        accused_organ_id=town.organ.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    other = register(organ=world.city_po, actor=world.city_clerk).petition
    for p in (accusation, other):
        DecisionLink.objects.create(
            decision=decision, petition=p, linked_by=world.city_clerk, linked_at=local(2025, 8, 1)
        )
    counts = {d.pk: d.link_count for d in decisions_for_user(user=town.clerk)}
    assert counts[decision.pk] == 1  # the ordinary petition held elsewhere, not the accusation
