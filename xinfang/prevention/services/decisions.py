"""Social-stability risk assessment of a major decision or project (重大决策社会稳定风险评估;
重大行政决策程序暂行条例 Arts. 22–24): register the draft, record the assessment work (public
comment, hearings, expert views, surveys: Art. 23), the risk points with likelihood, impact and
measures, the contingency plan and a third-party assessor, then the conclusion. Petitions and
disputes later raised about the decision are linked to it against the risk foreseen (or none).
The risk is the decision's, never a person's (DEVELOPERS.md principle 3)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.prevention import rules
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import (
    AssessmentWork,
    Conclusion,
    Decision,
    DecisionKind,
    DecisionLink,
    DecisionStatus,
    Dispute,
    RiskPoint,
    WorkKind,
)
from xinfang.prevention.services._shared import ApplicationError, NotFound, gate, invalid, text

MAX_PEOPLE = 10**9


def decision_register(
    *,
    actor: User,
    organ: Organ,
    kind: str,
    title: str,
    scope: str,
    people_affected: int,
    summary: str,
    assessor: str = "",
    submission: str | None = None,
    at: datetime | None = None,
) -> Decision:
    """Register a draft decision or project for assessment (before it is taken)."""
    gate(actor, Cap.PREVENTION_RECORD, organ)
    at = at or clock.now()
    if submission:
        done = Decision.objects.filter(submission=submission, registered_by=actor).first()
        if done is not None:
            return done
    errors: dict[str, list[str]] = {}
    title = text(title, limit=200, field="title")
    scope = text(scope, limit=5000, field="scope")
    summary = text(summary, limit=10000, field="summary")
    assessor = text(assessor, limit=200, field="assessor")
    if kind not in DecisionKind.values:
        errors["kind"] = [gettext("请选择类型")]
    if not title:
        errors["title"] = [gettext("请填写决策事项名称")]
    if not scope:
        errors["scope"] = [gettext("请填写涉及范围")]
    if not summary:
        errors["summary"] = [gettext("请填写主要内容")]
    if not 0 <= people_affected <= MAX_PEOPLE:
        errors["people_affected"] = [gettext("涉及人数有误")]
    if errors:
        raise invalid(errors)
    return Decision.objects.create(
        organ=organ,
        kind=kind,
        title=title,
        scope=scope,
        people_affected=people_affected,
        summary=summary,
        assessor=assessor,
        registered_by=actor,
        registered_at=at,
        submission=submission or None,
    )


def _locked(decision_id: int) -> Decision:
    d = Decision.objects.select_for_update().select_related("organ").filter(pk=decision_id).first()
    if d is None:
        raise NotFound()
    return d


def _assessing(d: Decision) -> None:
    if d.status != DecisionStatus.ASSESSING:
        raise ApplicationError(gettext("评估结论已作出，评估内容不能再修改"), status=409)


def assessment_work_add(
    *,
    actor: User,
    decision_id: int,
    kind: str,
    held_on: date,
    participants: int,
    findings: str,
    at: datetime | None = None,
) -> AssessmentWork:
    at = at or clock.now()
    findings = text(findings, limit=10000, field="findings")
    with transaction.atomic():
        d = _locked(decision_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        _assessing(d)
        errors: dict[str, list[str]] = {}
        if kind not in WorkKind.values:
            errors["kind"] = [gettext("请选择评估方式")]
        if held_on > clock.local_date(at):
            errors["held_on"] = [gettext("日期不能晚于今天")]
        if not 0 <= participants <= MAX_PEOPLE:
            errors["participants"] = [gettext("参与人次有误")]
        if not findings:
            errors["findings"] = [gettext("请填写主要意见")]
        if errors:
            raise invalid(errors)
        return AssessmentWork.objects.create(
            decision=d, kind=kind, held_on=held_on, participants=participants, findings=findings
        )


def risk_point_add(
    *,
    actor: User,
    decision_id: int,
    description: str,
    likelihood: int,
    impact: int,
    measures: str = "",
) -> RiskPoint:
    description = text(description, limit=2000, field="description")
    measures = text(measures, limit=5000, field="measures")
    with transaction.atomic():
        d = _locked(decision_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        _assessing(d)
        errors: dict[str, list[str]] = {}
        if not description:
            errors["description"] = [gettext("请写明风险点")]
        if likelihood not in (1, 2, 3):
            errors["likelihood"] = [gettext("请选择发生可能性")]
        if impact not in (1, 2, 3):
            errors["impact"] = [gettext("请选择影响程度")]
        if errors:
            raise invalid(errors)
        return RiskPoint.objects.create(
            decision=d,
            description=description,
            likelihood=likelihood,
            impact=impact,
            measures=measures,
        )


def decision_plan_set(
    *, actor: User, decision_id: int, contingency_plan: str, assessor: str
) -> Decision:
    """The contingency plan (应急处置预案) and the third-party assessor, while assessing."""
    contingency_plan = text(contingency_plan, limit=20000, field="contingency_plan")
    assessor = text(assessor, limit=200, field="assessor")
    with transaction.atomic():
        d = _locked(decision_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        _assessing(d)
        d.contingency_plan, d.assessor = contingency_plan, assessor
        d.save(update_fields=["contingency_plan", "assessor"])
    return d


_PROBLEMS = {
    "no_work": "尚未开展公开征求意见、听证、专家论证或问卷调查等评估工作",
    "no_points": "尚未识别和评估风险点",
    "unmitigated_high": "存在高风险点而未制定防范化解措施，不能得出“可以实施”的结论",
}


def decision_conclude(
    *,
    actor: User,
    decision_id: int,
    conclusion: str,
    reason: str,
    on: date,
    at: datetime | None = None,
) -> Decision:
    """Record the conclusion (proceed / proceed with measures / adjust first / do not proceed);
    the assessment is then closed to changes."""
    at = at or clock.now()
    reason = text(reason, limit=10000, field="reason")
    with transaction.atomic():
        d = _locked(decision_id)
        gate(actor, Cap.PREVENTION_DECIDE, d.organ)
        _assessing(d)
        if conclusion not in Conclusion.values:
            raise invalid({"conclusion": [gettext("请选择评估结论")]})
        errors: dict[str, list[str]] = {}
        if not reason:
            errors["reason"] = [gettext("请写明结论理由")]
        if on > clock.local_date(at):
            errors["on"] = [gettext("日期不能晚于今天")]
        problems = rules.conclusion_problems(
            conclusion=conclusion,
            work_count=d.works.count(),
            points=[(r.likelihood, r.impact, bool(r.measures)) for r in d.risks.all()],
        )
        if problems:
            errors["conclusion"] = [gettext(_PROBLEMS[p]) for p in problems]
        if errors:
            raise invalid(errors)
        d.status = DecisionStatus.CONCLUDED
        d.conclusion, d.conclusion_reason, d.concluded_on, d.concluded_by = (
            conclusion,
            reason,
            on,
            actor,
        )
        d.save(
            update_fields=[
                "status",
                "conclusion",
                "conclusion_reason",
                "concluded_on",
                "concluded_by",
            ]
        )
    return d


def decision_link_add(
    *,
    actor: User,
    decision_id: int,
    tracking_code: str = "",
    dispute_id: int | None = None,
    risk_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> DecisionLink:
    """Link a petition (by its tracking code, one the actor may see) or a dispute of the ledger
    (in the actor's scope) raised about the decision, against the risk point that foresaw it
    (none: not foreseen). Linking the same one again changes nothing."""
    at = at or clock.now()
    note = text(note, limit=500, field="note")
    code = ids.normalize_tracking_code(text(tracking_code, limit=40, field="tracking_code"))
    with transaction.atomic():
        d = _locked(decision_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        errors: dict[str, list[str]] = {}
        petition = dispute = risk = None
        if bool(code) == bool(dispute_id):
            raise invalid(
                {"tracking_code": [gettext("请填写信访事项查询码或矛盾纠纷编号（二选一）")]}
            )
        if code:
            petition = petition_queryset_for_user(user=actor).filter(tracking_code=code).first()
            if petition is None:
                errors["tracking_code"] = [
                    gettext("未找到该查询码的信访事项（须在本人可见范围内）")
                ]
        else:
            dispute = Dispute.objects.filter(organ_scope(actor), pk=dispute_id).first()
            if dispute is None:
                errors["dispute"] = [gettext("未找到该矛盾纠纷（须在本人可见范围内）")]
        if risk_id is not None:
            risk = d.risks.filter(pk=risk_id).first()
            if risk is None:
                errors["risk"] = [gettext("风险点不属于该决策")]
        if errors:
            raise invalid(errors)
        existing = DecisionLink.objects.filter(decision=d, petition=petition, dispute=dispute)
        link = existing.first()
        if link is not None:
            return link
        return DecisionLink.objects.create(
            decision=d,
            petition=petition,
            dispute=dispute,
            risk=risk,
            note=note,
            linked_by=actor,
            linked_at=at,
        )
