"""Publishing reception days (Art. 18): one session, or a recurring schedule made into
sessions date by date over the working calendar (holidays and 调休 from xinfang.deadlines).

Refused with a clear error: a session on a rest day (a make-up working day, 调休, is a working
day and may hold one), a leader received twice at once, a leader who is not a leader of the
organ or one above it, a date already past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.deadlines.holidays import calendar_in_force
from xinfang.directory.models import Membership, Organ, Role, User
from xinfang.directory.permissions import Cap
from xinfang.directory.selectors import organ_ancestor_ids
from xinfang.reception import rules
from xinfang.reception.models import ReceptionSchedule, ReceptionSession, SessionKind
from xinfang.reception.services._shared import NotFound, gate, invalid, text

MAX_CAPACITY = 200
_LEADING = (Role.LEADER, Role.ORGAN_HEAD)


@dataclass(frozen=True)
class SessionInput:
    organ: Organ
    leader_id: int
    on: date
    starts: time
    ends: time
    place: str = ""
    video: bool = False
    fields: str = ""
    capacity: int = 10
    kind: str = SessionKind.LEADER


def leaders_for(organ: Organ):  # type: ignore[no-untyped-def]
    """Who may receive at ``organ``: leaders and heads of the organ or an organ above it."""
    ids = organ_ancestor_ids(organ)
    users = Membership.objects.filter(role__in=_LEADING, user__organ_id__in=ids).values("user_id")
    return User.objects.filter(pk__in=users, is_active=True).order_by("username")


def _clean(data: SessionInput, *, at: datetime) -> tuple[dict[str, list[str]], dict]:
    errors: dict[str, list[str]] = {}
    place = text(data.place, limit=200, field="place")
    fields = text(data.fields, limit=200, field="fields")
    if data.kind not in SessionKind.values:
        errors["kind"] = [gettext("请选择接访方式")]
    if not place and not data.video:
        errors["place"] = [gettext("请写明接访地点，或选择视频接访")]
    if data.starts >= data.ends:
        errors["ends"] = [gettext("结束时间应晚于开始时间")]
    if not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = [gettext("可接待人数应在 1 到 %(n)s 之间") % {"n": MAX_CAPACITY}]
    leader = leaders_for(data.organ).filter(pk=data.leader_id).first()
    if leader is None:
        errors["leader"] = [gettext("接访领导须是本机关或上级机关的领导、负责人")]
    return errors, {"place": place, "fields": fields, "leader": leader}


def _clashes(leader: User, slot: rules.Slot, *, exclude: int | None = None) -> bool:
    same_day = ReceptionSession.objects.filter(leader=leader, on=slot.on, cancelled=False)
    if exclude:
        same_day = same_day.exclude(pk=exclude)
    return any(
        rules.overlaps(slot, rules.Slot(s.on, s.starts, s.ends))
        for s in same_day.only("on", "starts", "ends")
    )


def session_publish(
    *,
    actor: User,
    data: SessionInput,
    submission: str | None = None,
    at: datetime | None = None,
) -> ReceptionSession:
    """Publish one reception session (Art. 18 para 1: times and places made public)."""
    gate(actor, Cap.RECEPTION_MANAGE, data.organ)
    at = at or clock.now()
    if submission:
        done = ReceptionSession.objects.filter(submission=submission, created_by=actor).first()
        if done is not None:
            return done
    errors, clean = _clean(data, at=at)
    if data.on < clock.local_date(at):
        errors["on"] = [gettext("接访日期不能早于今天")]
    elif not calendar_in_force().is_working_day(data.on):
        errors["on"] = [gettext("%(d)s 是休息日，不能安排接访") % {"d": data.on.isoformat()}]
    with transaction.atomic():
        if clean["leader"] is not None and not errors:
            # the leader's row is locked so two clerks cannot book one leader twice at once
            User.objects.select_for_update().filter(pk=clean["leader"].pk).first()
            if _clashes(clean["leader"], rules.Slot(data.on, data.starts, data.ends)):
                errors["leader"] = [gettext("该领导在此时间已有接访安排")]
        if errors:
            raise invalid(errors)
        return ReceptionSession.objects.create(
            organ=data.organ,
            kind=data.kind,
            on=data.on,
            starts=data.starts,
            ends=data.ends,
            place=clean["place"],
            video=data.video,
            leader=clean["leader"],
            fields=clean["fields"],
            capacity=data.capacity,
            created_by=actor,
            created_at=at,
            submission=submission or None,
        )


@dataclass(frozen=True)
class SchedulePublished:
    schedule: ReceptionSchedule
    sessions: list[ReceptionSession]
    rest_days: list[date]  # the weekday fell on a holiday: no session
    clashes: list[date]  # the leader was already receiving then: no session


def schedule_publish(
    *,
    actor: User,
    data: SessionInput,
    weekday: int,
    until: date,
    at: datetime | None = None,
) -> SchedulePublished:
    """A recurring reception day from ``data.on`` to ``until`` on ``weekday`` (0 = Monday).
    Holidays falling on the weekday are skipped and listed; so are dates the leader already
    receives at that time. Nothing is written if no date remains."""
    gate(actor, Cap.RECEPTION_MANAGE, data.organ)
    at = at or clock.now()
    errors, clean = _clean(data, at=at)
    if not 0 <= weekday <= 6:
        errors["weekday"] = [gettext("请选择星期")]
    if data.on < clock.local_date(at):
        errors["on"] = [gettext("起始日期不能早于今天")]
    if until < data.on or (until - data.on).days > rules.MAX_SCHEDULE_DAYS:
        errors["until"] = [gettext("截止日期应在起始日期之后一年以内")]
    if errors:
        raise invalid(errors)
    cal = calendar_in_force()
    leader: User = clean["leader"]
    made: list[ReceptionSession] = []
    rest: list[date] = []
    clash: list[date] = []
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=leader.pk).first()
        schedule = ReceptionSchedule.objects.create(
            organ=data.organ,
            leader=leader,
            weekday=weekday,
            starts=data.starts,
            ends=data.ends,
            starts_on=data.on,
            ends_on=until,
            place=clean["place"],
            fields=clean["fields"],
            capacity=data.capacity,
            created_by=actor,
            created_at=at,
        )
        for d, working in rules.schedule_dates(
            weekday=weekday, starts_on=data.on, ends_on=until, is_working_day=cal.is_working_day
        ):
            if not working:
                rest.append(d)
            elif _clashes(leader, rules.Slot(d, data.starts, data.ends)):
                clash.append(d)
            else:
                made.append(
                    ReceptionSession(
                        organ=data.organ,
                        kind=data.kind,
                        on=d,
                        starts=data.starts,
                        ends=data.ends,
                        place=clean["place"],
                        video=data.video,
                        leader=leader,
                        fields=clean["fields"],
                        capacity=data.capacity,
                        schedule=schedule,
                        created_by=actor,
                        created_at=at,
                    )
                )
        if not made:
            transaction.set_rollback(True)
            raise invalid({"on": [gettext("这段时间内没有可以安排接访的工作日")]})
        ReceptionSession.objects.bulk_create(made)
    return SchedulePublished(schedule, made, rest, clash)


def session_cancel(*, actor: User, session_id: int, at: datetime | None = None) -> ReceptionSession:
    """Cancel a session that has not yet taken place (its bookings are told, see appointments)."""
    s = ReceptionSession.objects.select_related("organ").filter(pk=session_id).first()
    if s is None:
        raise NotFound()
    gate(actor, Cap.RECEPTION_MANAGE, s.organ)
    at = at or clock.now()
    if s.on < clock.local_date(at):
        raise invalid({"session": [gettext("接访已经举行，不能取消")]})
    s.cancelled = True
    s.save(update_fields=["cancelled"])
    return s
