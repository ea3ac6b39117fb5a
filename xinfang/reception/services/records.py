"""Writing the reception record (接谈记录) and following its promises; a leader taking charge
of a petition (包案, Art. 18 para 2) through the petitions service that owns the flag.

The record is the reception app's own row with a key to the petition; it shows on the
petition's timeline through ``petitions.extensions`` and never touches the petition's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.flags import Flag
from xinfang.petitions.selectors import petition_get_for_user, petition_names_user
from xinfang.petitions.services import petition_flag_set
from xinfang.petitions.workflow import Category
from xinfang.reception import rules
from xinfang.reception.access import organ_accused_by, organ_in_scope, organs_in_scope
from xinfang.reception.models import (
    Appointment,
    AppointmentStatus,
    Promise,
    PromiseStatus,
    ReceptionRecord,
    ReceptionSession,
    VisitPlan,
    VisitStatus,
)
from xinfang.reception.selectors.board import leader_name
from xinfang.reception.services._shared import Forbidden, NotFound, gate, invalid, text
from xinfang.reception.services.sessions import leaders_for

MAX_PROMISES = 20


@dataclass(frozen=True)
class PromiseInput:
    description: str
    owner_id: int
    due_on: date


def record_write(
    *,
    actor: User,
    petition_id: int,
    received_by_id: int,
    attendees: str,
    asked: str,
    said: str,
    representatives: Sequence[str] = (),
    promises: Sequence[PromiseInput] = (),
    session_id: int | None = None,
    appointment_code: str = "",
    visit_id: int | None = None,
    received_at: datetime | None = None,
    submission: str | None = None,
    at: datetime | None = None,
) -> ReceptionRecord:
    """Record a reception of a petition the actor may see. A collective visit names at most
    five representatives (Art. 20 para 3); each promise gets an owner and a due date. With
    ``visit_id`` it is the record of a meeting on a down-visit (下访, Art. 18 para 2) about one
    of the plan's petitions, received by the visiting organ."""
    at = at or clock.now()
    received_at = received_at or at
    if submission:
        done = ReceptionRecord.objects.filter(submission=submission, recorded_by=actor).first()
        if done is not None:
            return done
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    organ = actor.organ
    if organ is None:
        raise Forbidden()
    session = None
    if session_id:
        session = ReceptionSession.objects.select_related("organ").filter(pk=session_id).first()
        if session is None or not organ_in_scope(actor, session.organ):
            raise NotFound()
        organ = session.organ
    visit = None
    if visit_id:
        visit = VisitPlan.objects.select_related("organ").filter(pk=visit_id).first()
        if visit is None or session is not None or not organ_in_scope(actor, visit.organ):
            raise NotFound()
        organ = visit.organ
    gate(actor, Cap.RECEPTION_MANAGE, organ)
    if organ_accused_by(organ, petition.accused_organ_id):  # Art. 30 para 3
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    attendees = text(attendees, limit=500, field="attendees")
    asked = text(asked, limit=10000, field="asked")
    said = text(said, limit=20000, field="said")
    reps = [text(r, limit=50, field="representatives") for r in representatives]
    reps = [r for r in reps if r]
    if not attendees:
        errors["attendees"] = [gettext("请写明来访人")]
    if not asked:
        errors["asked"] = [gettext("请写明来访人的诉求")]
    if not said:
        errors["said"] = [gettext("请写明接谈情况和答复")]
    if rules.representatives_refusal(len(reps)):
        errors["representatives"] = [
            gettext("多人来访应推选代表，代表不超过 5 人（第二十条第三款）")
        ]
    if received_at > at:
        errors["received_at"] = [gettext("接谈时间不能晚于现在")]
    leader = leaders_for(organ).filter(pk=received_by_id).first()
    if leader is None:
        errors["received_by"] = [gettext("接访领导须是本机关或上级机关的领导、负责人")]
    elif petition.category == Category.ACCUSATION and petition_names_user(
        petition=petition, user=leader
    ):  # Art. 30 para 3: the accused never receives his accuser about it
        errors["received_by"] = [gettext("检举、控告的就是这位领导，不能由其接谈")]
    owners = {u.pk: u for u in _owners(actor, [p.owner_id for p in promises], leader)}
    if len(promises) > MAX_PROMISES:
        errors["promises"] = [gettext("承诺事项过多")]
    day = clock.local_date(received_at)
    clean_promises = []
    for i, p in enumerate(promises):
        desc = text(p.description, limit=2000, field=f"promise_{i}")
        if not desc:
            continue
        if p.owner_id not in owners:
            errors.setdefault("promises", []).append(
                gettext("承诺事项须有责任人（本机关或下级机关工作人员）")
            )
        if p.due_on < day:
            errors.setdefault("promises", []).append(gettext("完成时限不能早于接谈日期"))
        clean_promises.append((desc, p.owner_id, p.due_on))
    appointment = None
    if appointment_code:
        appointment = Appointment.objects.filter(
            code=appointment_code[:12], petition_id=petition.pk, status=AppointmentStatus.BOOKED
        ).first()
        if appointment is None:
            errors["appointment"] = [gettext("未找到该事项的有效预约")]
        elif session is not None and appointment.session_id != session.pk:
            errors["appointment"] = [gettext("预约不属于本场接访")]
    if visit is not None:
        if visit.status == VisitStatus.CANCELLED:
            errors["visit"] = [gettext("该下访计划已取消")]
        elif not visit.items.filter(petition_id=petition.pk).exists():
            errors["visit"] = [gettext("该信访事项不在本次下访计划中")]
        if clock.local_date(received_at) < visit.on:
            errors["received_at"] = [gettext("接谈时间不能早于下访日期")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        record = ReceptionRecord.objects.create(
            visit=visit,
            petition=petition,
            organ=organ,
            session=session or (appointment.session if appointment else None),
            appointment=appointment,
            received_by=leader,
            received_at=received_at,
            attendees=attendees,
            representatives=reps,
            asked=asked,
            said=said,
            recorded_by=actor,
            recorded_at=at,
            submission=submission or None,
        )
        Promise.objects.bulk_create(
            Promise(record=record, petition=petition, description=d, owner_id=o, due_on=due)
            for d, o, due in clean_promises
        )
        if appointment is not None:
            appointment.status = AppointmentStatus.RECEIVED
            appointment.save(update_fields=["status"])
    return record


def _owners(actor: User, ids: Sequence[int], leader: User | None) -> list[User]:
    scope = organs_in_scope(actor).values("pk")
    found = list(User.objects.filter(pk__in=ids, is_active=True, organ_id__in=scope))
    if leader is not None and leader.pk in ids and leader not in found:
        found.append(leader)
    return found


def promise_done(
    *, actor: User, promise_id: int, note: str, on: date, at: datetime | None = None
) -> Promise:
    """The owner (or a manager of the receiving organ) records how a promise was kept."""
    at = at or clock.now()
    note = text(note, limit=5000, field="note")
    with transaction.atomic():
        p = (
            Promise.objects.select_for_update(of=("self",))
            .select_related("record__organ")
            .filter(pk=promise_id)
            .first()
        )
        if p is None:
            raise NotFound()
        petition_get_for_user(user=actor, petition_id=p.petition_id)
        if p.owner_id != actor.pk:
            gate(actor, Cap.RECEPTION_MANAGE, p.record.organ)
        if p.status == PromiseStatus.DONE:
            raise ApplicationError(gettext("该承诺事项已落实"), status=409)
        errors: dict[str, list[str]] = {}
        if not note:
            errors["note"] = [gettext("请写明落实情况")]
        if on > clock.local_date(at):
            errors["on"] = [gettext("日期不能晚于今天")]
        if errors:
            raise invalid(errors)
        p.status, p.done_on, p.done_note = PromiseStatus.DONE, on, note
        p.save(update_fields=["status", "done_on", "done_note"])
    return p


def leader_take_charge(
    *,
    actor: User,
    petition_id: int,
    leader_id: int,
    reason: str = "",
    at: datetime | None = None,
) -> None:
    """A leader takes charge of a petition (包案, Art. 18 para 2): recorded through the one
    writer of the petition's flags, under the leader's name."""
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    organ = actor.organ
    leader = leaders_for(organ).filter(pk=leader_id).first() if organ is not None else None
    if leader is None:
        raise invalid({"leader": [gettext("包案领导须是本机关或上级机关的领导、负责人")]})
    petition_flag_set(
        petition_id=petition.pk,
        flag=Flag.LEADER_CASE,
        on=True,
        actor=actor,
        reason=reason,
        leader=leader_name(leader),
        at=at,
    )
