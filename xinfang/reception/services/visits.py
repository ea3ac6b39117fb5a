"""Down-visits (下访) and accompanied visits (带访, Art. 18 para 2: leading cadres go down to
the grassroots): planning a visit with the petitions to be discussed, and closing it with its
outcome. Each meeting on the visit is an ordinary reception record (``record_write`` with
``visit_id``), so its promises become tasks exactly as at a reception day.

Refused with a clear error: a petition the actor may not see (as "not found"), a petition
that accuses the visiting organ or one above it or names the chosen leader (Art. 30 para 3),
a leader who is not a leader of the organ or one above it, a leader already on another visit
or at a reception session that day, a date already past."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.petitions.selectors import petition_names_user, petition_queryset_for_user
from xinfang.petitions.workflow import Category
from xinfang.reception.access import organ_accused_by
from xinfang.reception.models import (
    ReceptionSession,
    VisitItem,
    VisitKind,
    VisitPlan,
    VisitStatus,
)
from xinfang.reception.services._shared import NotFound, gate, invalid, text
from xinfang.reception.services.sessions import leaders_for

MAX_PETITIONS = 50
MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class VisitInput:
    organ: Organ
    leader_id: int
    on: date
    place: str
    petition_ids: Sequence[int] = field(default_factory=tuple)
    kind: str = VisitKind.DOWN
    officials: str = ""
    purpose: str = ""


def visit_plan(
    *,
    actor: User,
    data: VisitInput,
    submission: str | None = None,
    at: datetime | None = None,
) -> VisitPlan:
    """Plan a down-visit of ``data.organ`` (the actor manages reception there)."""
    gate(actor, Cap.RECEPTION_MANAGE, data.organ)
    at = at or clock.now()
    if submission:
        done = VisitPlan.objects.filter(submission=submission, created_by=actor).first()
        if done is not None:
            return done
    errors: dict[str, list[str]] = {}
    place = text(data.place, limit=200, field="place")
    officials = text(data.officials, limit=500, field="officials")
    purpose = text(data.purpose, limit=5000, field="purpose")
    if data.kind not in VisitKind.values:
        errors["kind"] = [gettext("请选择下访方式")]
    if not place:
        errors["place"] = [gettext("请写明下访地点")]
    today = clock.local_date(at)
    if data.on < today:
        errors["on"] = [gettext("下访日期不能早于今天")]
    elif data.on > today + MAX_AHEAD:
        errors["on"] = [gettext("下访日期最多安排在一年之内")]
    leader = leaders_for(data.organ).filter(pk=data.leader_id).first()
    if leader is None:
        errors["leader"] = [gettext("带队领导须是本机关或上级机关的领导、负责人")]
    ids = list(dict.fromkeys(int(i) for i in data.petition_ids))
    petitions = list(
        petition_queryset_for_user(user=actor)
        .filter(pk__in=ids)
        .only("pk", "title", "tracking_code", "category", "accused_organ_id")
    )
    if not ids:
        errors["petitions"] = [gettext("请列出拟接谈的信访事项")]
    elif len(ids) > MAX_PETITIONS:
        errors["petitions"] = [gettext("一次下访最多列 %(n)s 件") % {"n": MAX_PETITIONS}]
    elif len(petitions) != len(ids):
        errors["petitions"] = [gettext("有信访事项未找到")]
    for p in petitions:
        if organ_accused_by(data.organ, p.accused_organ_id):  # Art. 30 para 3
            errors.setdefault("petitions", []).append(
                gettext("%(code)s 检举、揭发、控告本机关或其上级机关，不能列入本机关的下访计划")
                % {"code": p.tracking_code}
            )
        elif (
            leader is not None
            and p.category == Category.ACCUSATION
            and petition_names_user(petition=p, user=leader)
        ):  # Art. 30 para 3: the accused never meets his accuser about it
            errors.setdefault("leader", []).append(
                gettext("%(code)s 检举、控告的就是这位领导，不能由其带队接谈")
                % {"code": p.tracking_code}
            )
    with transaction.atomic():
        if leader is not None and "on" not in errors:
            # the leader's row is locked so two clerks cannot send one leader twice at once
            User.objects.select_for_update().filter(pk=leader.pk).first()
            busy = (
                VisitPlan.objects.filter(leader=leader, on=data.on)
                .exclude(status=VisitStatus.CANCELLED)
                .exists()
                or ReceptionSession.objects.filter(
                    leader=leader, on=data.on, cancelled=False
                ).exists()
            )
            if busy:
                errors["leader"] = [gettext("该领导当天已有下访或接访安排")]
        if errors:
            raise invalid(errors)
        plan = VisitPlan.objects.create(
            organ=data.organ,
            kind=data.kind,
            on=data.on,
            place=place,
            leader=leader,
            officials=officials,
            purpose=purpose,
            created_by=actor,
            created_at=at,
            submission=submission or None,
        )
        VisitItem.objects.bulk_create(VisitItem(plan=plan, petition=p) for p in petitions)
    return plan


def visit_close(
    *,
    actor: User,
    plan_id: int,
    status: str,
    outcome: str,
    at: datetime | None = None,
) -> VisitPlan:
    """Close a visit: done (on or after its date) with its outcome, or cancelled with the
    reason. A closed plan is closed for good (409)."""
    at = at or clock.now()
    outcome = text(outcome, limit=10000, field="outcome")
    with transaction.atomic():
        plan = (
            VisitPlan.objects.select_for_update(of=("self",))
            .select_related("organ")
            .filter(pk=plan_id)
            .first()
        )
        if plan is None:
            raise NotFound()
        gate(actor, Cap.RECEPTION_MANAGE, plan.organ)
        if plan.status != VisitStatus.PLANNED:
            raise ApplicationError(gettext("该下访计划已结束"), status=409)
        errors: dict[str, list[str]] = {}
        if status not in (VisitStatus.DONE, VisitStatus.CANCELLED):
            errors["status"] = [gettext("请选择完成或取消")]
        elif status == VisitStatus.DONE and plan.on > clock.local_date(at):
            errors["status"] = [gettext("下访日期未到，不能登记完成")]
        if not outcome:
            errors["outcome"] = [gettext("请写明下访结果或取消原因")]
        if errors:
            raise invalid(errors)
        plan.status, plan.outcome, plan.closed_by, plan.closed_at = status, outcome, actor, at
        plan.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
    return plan
