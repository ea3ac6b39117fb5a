"""The joint conference (联席会议, regulation §10): a meeting of member organs at one level,
agenda items (a petition, a backlog case, a policy matter, a dispute), one decision on each,
tasks for member organs with due dates, their written replies, follow-up until closed.

Who does what: the convening organ's staff who record (``prevention_record``) keep the minutes
and follow tasks up; deciding roles (``prevention_decide``) record decisions, assign and close
tasks; the member organ given a task replies in writing (its recording staff)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.prevention import rules
from xinfang.prevention.access import organ_in_scope, organ_scope, organs_in_scope
from xinfang.prevention.models import (
    AgendaItem,
    AgendaKind,
    Conference,
    ConferenceTask,
    Dispute,
    PolicyMatter,
    TaskEntry,
    TaskEntryKind,
)
from xinfang.prevention.services._shared import (
    ApplicationError,
    Forbidden,
    NotFound,
    gate,
    invalid,
    text,
)

MAX_MEMBERS = 100


def conference_record(
    *,
    actor: User,
    organ: Organ,
    title: str,
    held_on: date,
    member_ids: Sequence[int],
    place: str = "",
    chair: str = "",
    submission: str | None = None,
    at: datetime | None = None,
) -> Conference:
    gate(actor, Cap.PREVENTION_RECORD, organ)
    at = at or clock.now()
    if submission:
        done = Conference.objects.filter(submission=submission, recorded_by=actor).first()
        if done is not None:
            return done
    title = text(title, limit=200, field="title")
    place = text(place, limit=200, field="place")
    chair = text(chair, limit=50, field="chair")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [gettext("请填写会议名称")]
    if held_on > clock.local_date(at):
        errors["held_on"] = [gettext("日期不能晚于今天")]
    ids_ = sorted(set(member_ids))
    members = list(organs_in_scope(actor).filter(pk__in=ids_)) if ids_ else []
    if not members or len(members) != len(ids_) or len(ids_) > MAX_MEMBERS:
        errors["members"] = [gettext("请选择成员单位（须在本机关及下级、本区域范围内）")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        c = Conference.objects.create(
            organ=organ,
            title=title,
            held_on=held_on,
            place=place,
            chair=chair,
            recorded_by=actor,
            recorded_at=at,
            submission=submission or None,
        )
        c.members.set(members)
    return c


def _conference(conference_id: int) -> Conference:
    c = Conference.objects.select_related("organ").filter(pk=conference_id).first()
    if c is None:
        raise NotFound()
    return c


def agenda_item_add(
    *,
    actor: User,
    conference_id: int,
    kind: str,
    title: str,
    tracking_code: str = "",
    policy_matter_id: int | None = None,
    dispute_id: int | None = None,
    decision: str = "",
) -> AgendaItem:
    """An agenda item: a petition or backlog case (by tracking code, one the actor may see), a
    policy matter or a dispute (in the actor's scope), or another matter by its title."""
    c = _conference(conference_id)
    gate(actor, Cap.PREVENTION_RECORD, c.organ)
    title = text(title, limit=200, field="title")
    decision = text(decision, limit=10000, field="decision")
    code = ids.normalize_tracking_code(text(tracking_code, limit=40, field="tracking_code"))
    errors: dict[str, list[str]] = {}
    if kind not in AgendaKind.values:
        raise invalid({"kind": [gettext("请选择议题类型")]})
    petition = matter = dispute = None
    if kind in (AgendaKind.PETITION, AgendaKind.BACKLOG):
        petition = (
            petition_queryset_for_user(user=actor).filter(tracking_code=code).first()
            if code
            else None
        )
        if petition is None:
            errors["tracking_code"] = [gettext("未找到该查询码的信访事项（须在本人可见范围内）")]
        elif not title:
            title = petition.title
    elif kind == AgendaKind.POLICY:
        matter = PolicyMatter.objects.filter(organ_scope(actor), pk=policy_matter_id or 0).first()
        if matter is None:
            errors["policy_matter"] = [gettext("未找到该政策类问题")]
        elif not title:
            title = matter.title
    elif kind == AgendaKind.DISPUTE:
        dispute = Dispute.objects.filter(organ_scope(actor), pk=dispute_id or 0).first()
        if dispute is None:
            errors["dispute"] = [gettext("未找到该矛盾纠纷（须在本人可见范围内）")]
        elif not title:
            title = f"{dispute.get_kind_display()}：{dispute.place}"
    if not title and not errors:
        errors["title"] = [gettext("请填写议题")]
    if decision and not user_can(actor, Cap.PREVENTION_DECIDE):
        errors["decision"] = [gettext("会议决定由负责人记录")]
    if errors:
        raise invalid(errors)
    return AgendaItem.objects.create(
        conference=c,
        kind=kind,
        title=title[:200],
        petition=petition,
        policy_matter=matter,
        dispute=dispute,
        decision=decision,
    )


def agenda_decision_set(*, actor: User, item_id: int, decision: str) -> AgendaItem:
    item = AgendaItem.objects.select_related("conference__organ").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    gate(actor, Cap.PREVENTION_DECIDE, item.conference.organ)
    decision = text(decision, limit=10000, field="decision")
    if not decision:
        raise invalid({"decision": [gettext("请填写会议决定")]})
    item.decision = decision
    item.save(update_fields=["decision"])
    return item


def conference_task_assign(
    *, actor: User, item_id: int, organ_id: int, description: str, due_on: date
) -> ConferenceTask:
    """A task for a member organ with its due date (the conference's decision carried out)."""
    item = AgendaItem.objects.select_related("conference__organ").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    gate(actor, Cap.PREVENTION_DECIDE, item.conference.organ)
    description = text(description, limit=5000, field="description")
    errors: dict[str, list[str]] = {}
    if not item.conference.members.filter(pk=organ_id).exists():
        errors["organ"] = [gettext("任务只能交给本次会议的成员单位")]
    if not description:
        errors["description"] = [gettext("请写明任务")]
    if due_on < item.conference.held_on:
        errors["due_on"] = [gettext("完成时限不能早于会议日期")]
    if errors:
        raise invalid(errors)
    return ConferenceTask.objects.create(
        item=item, organ_id=organ_id, description=description, due_on=due_on
    )


def task_entry_add(
    *,
    actor: User,
    task_id: int,
    kind: str,
    on: date,
    body: str,
    at: datetime | None = None,
) -> TaskEntry:
    """A written reply (by the member organ given the task), a follow-up (督办, by the convening
    organ: the task is open again) or closing (by a deciding role of the convening organ, after
    a reply)."""
    at = at or clock.now()
    body = text(body, limit=10000, field="body")
    with transaction.atomic():
        task = (
            ConferenceTask.objects.select_for_update()
            .select_related("organ", "item__conference__organ")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound()
        convener = task.item.conference.organ
        if kind == TaskEntryKind.REPLY:
            own = actor.organ
            if own is None or not (task.organ.path or "").startswith(own.path or "-"):
                if not organ_in_scope(actor, convener):
                    raise NotFound()
                raise Forbidden(gettext("书面答复由承办的成员单位提交"))
            if not user_can(actor, Cap.PREVENTION_RECORD):
                raise Forbidden()
        elif kind == TaskEntryKind.FOLLOW_UP:
            gate(actor, Cap.PREVENTION_RECORD, convener)
        elif kind == TaskEntryKind.CLOSE:
            gate(actor, Cap.PREVENTION_DECIDE, convener)
        else:
            raise invalid({"kind": [gettext("请选择类型")]})
        errors: dict[str, list[str]] = {}
        if not body:
            errors["body"] = [gettext("请填写内容")]
        if on > clock.local_date(at) or on < task.item.conference.held_on:
            errors["on"] = [gettext("日期应在会议日期和今天之间")]
        if errors:
            raise invalid(errors)
        try:
            task.status = rules.task_status_after(task.status, kind)
        except ValueError as e:
            message = (
                gettext("尚未收到书面答复，不能办结")
                if str(e) == "no_reply"
                else gettext("该任务已办结")
            )
            raise ApplicationError(message, status=409) from None
        task.closed_on = on if task.status == rules.TaskStatus.CLOSED else None
        task.save(update_fields=["status", "closed_on"])
        return TaskEntry.objects.create(task=task, kind=kind, on=on, text=body, by=actor, at=at)
