"""Joint handling (Art. 18 para 3): the lead organ (the organ holding the petition) assigns
each assisting organ a task with a due date inside the petition's statutory limit (the
earliest open time limit of the petition: no assisting step may run past it); each assisting
organ replies in writing; the lead organ's head signs the one answer once every reply is in.
The answer is what the handler then issues through the petition's own step (``petition_act``):
this service never changes the petition's state. An assisting organ is never the accused organ
or one below it (Art. 30 para 3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can_act
from xinfang.petitions.flags import Flag
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.petitions.services import petition_flag_set
from xinfang.petitions.workflow import Action
from xinfang.reception.access import organ_accused_by
from xinfang.reception.models import JointHandling, JointTask
from xinfang.reception.services._shared import Forbidden, NotFound, gate, invalid, text

MAX_ASSISTING = 20


@dataclass(frozen=True)
class TaskInput:
    organ_id: int
    task: str
    due_on: date


def statutory_limit(petition_id: int) -> date | None:
    """The earliest open time limit of the petition (None: no limit is running)."""
    return (
        Deadline.objects.filter(petition_id=petition_id, outcome="open")
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )


def joint_start(
    *, actor: User, petition_id: int, tasks: Sequence[TaskInput], at: datetime | None = None
) -> JointHandling:
    at = at or clock.now()
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    lead = petition.current_organ
    gate(actor, Cap.RECEPTION_MANAGE, lead)
    if JointHandling.objects.filter(petition_id=petition.pk).exists():
        raise ApplicationError(gettext("该事项已在联合办理"), status=409)
    limit = statutory_limit(petition.pk)
    errors: dict[str, list[str]] = {}
    if limit is None:
        errors["tasks"] = [gettext("该事项没有正在计算的法定期限，不能安排协办")]
    if not tasks or len(tasks) > MAX_ASSISTING:
        errors.setdefault("tasks", []).append(gettext("请至少安排一个协办机关"))
    organs = {
        o.pk: o for o in Organ.objects.filter(pk__in=[t.organ_id for t in tasks], is_active=True)
    }
    today = clock.local_date(at)
    clean = []
    for t in tasks:
        organ = organs.get(t.organ_id)
        body = text(t.task, limit=5000, field="tasks")
        if organ is None or organ.pk == lead.pk:
            errors.setdefault("tasks", []).append(gettext("协办机关须是牵头机关以外的机关"))
        elif organ_accused_by(organ, petition.accused_organ_id):
            errors.setdefault("tasks", []).append(gettext("被检举控告的机关不能参与办理"))
        if not body:
            errors.setdefault("tasks", []).append(gettext("请写明协办任务"))
        if t.due_on < today or (limit is not None and t.due_on > limit):
            errors.setdefault("tasks", []).append(
                gettext("协办时限应在今天和法定期限 %(d)s 之间")
                % {"d": limit.isoformat() if limit else "—"}
            )
        clean.append((organ, body, t.due_on))
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        j = JointHandling.objects.create(
            petition=petition, lead=lead, limit=limit, started_by=actor, started_at=at
        )
        JointTask.objects.bulk_create(
            JointTask(joint=j, organ=o, task=b, due_on=d) for o, b, d in clean
        )
        if not petition.joint_handling:
            petition_flag_set(
                petition_id=petition.pk, flag=Flag.JOINT_HANDLING, on=True, actor=actor, at=at
            )
    return j


def joint_reply(
    *, actor: User, task_id: int, reply: str, on: date, at: datetime | None = None
) -> JointTask:
    """The assisting organ's written reply (its own staff who manage reception)."""
    at = at or clock.now()
    reply = text(reply, limit=20000, field="reply")
    with transaction.atomic():
        t = (
            JointTask.objects.select_for_update(of=("self",))
            .select_related("organ", "joint")
            .filter(pk=task_id)
            .first()
        )
        if t is None or actor.organ_id != t.organ_id:
            raise NotFound()
        gate(actor, Cap.RECEPTION_MANAGE, t.organ)
        if t.joint.signed_at is not None:
            raise ApplicationError(gettext("统一答复已签发"), status=409)
        errors: dict[str, list[str]] = {}
        if not reply:
            errors["reply"] = [gettext("请写明书面答复")]
        if on > clock.local_date(at):
            errors["on"] = [gettext("日期不能晚于今天")]
        if errors:
            raise invalid(errors)
        t.reply, t.replied_by, t.replied_on = reply, actor, on
        t.save(update_fields=["reply", "replied_by", "replied_on"])
    return t


def joint_sign(
    *, actor: User, joint_id: int, answer: str, at: datetime | None = None
) -> JointHandling:
    """The lead organ's head signs the one answer, once every assisting organ has replied."""
    at = at or clock.now()
    answer = text(answer, limit=20000, field="answer")
    with transaction.atomic():
        j = (
            JointHandling.objects.select_for_update()
            .select_related("lead")
            .filter(pk=joint_id)
            .first()
        )
        if j is None:
            raise NotFound()
        petition_get_for_user(user=actor, petition_id=j.petition_id)
        gate(actor, Cap.RECEPTION_VIEW, j.lead)
        if actor.organ_id != j.lead_id or not user_can_act(actor, Action.ISSUE_OPINION):
            raise Forbidden(gettext("统一答复由牵头机关负责人签发"))
        if j.signed_at is not None:
            raise ApplicationError(gettext("统一答复已签发"), status=409)
        if j.tasks.filter(replied_on__isnull=True).exists():
            raise ApplicationError(gettext("尚有协办机关未书面答复"), status=409)
        if not answer:
            raise invalid({"answer": [gettext("请写明统一答复")]})
        j.answer, j.signed_by, j.signed_at = answer, actor, at
        j.save(update_fields=["answer", "signed_by", "signed_at"])
    return j
