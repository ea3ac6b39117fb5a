"""Booking a reception (预约接访): on the portal with the tracking code and query password of
an existing petition, or as a new matter that registers a petition with channel 来访 (Art. 17)
through the petitions registration service; or by a clerk at the desk for a petition the clerk
may see. A booking code confirms it; a full session puts the booking on the waiting list, and a
cancellation moves the first waiting booking up. A session that has taken place can no longer
be cancelled or rebooked from.

Never asked: household registration, an approval from the petitioner's locality, or anything
else the law does not require. Never allowed: a petition that accuses an organ booked into a
session of that organ or one below it (Art. 30 para 3): the petitioner is told to choose a
session of another organ."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.core.crypto import normalize_phone, phone_digest
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.petitions.services import PartyInput, PetitionInput, petition_register
from xinfang.reception.access import organ_accused_by
from xinfang.reception.models import ACTIVE, Appointment, AppointmentStatus, ReceptionSession
from xinfang.reception.services._shared import NotFound, gate, invalid, text

CODE_LENGTH = 8
_NO_SECRET = ids.hash_query_password("-", "-", "reception")


@dataclass(frozen=True)
class Booking:
    appointment: Appointment
    tracking_code: str = ""  # a new matter: its tracking code and query password, shown once
    query_password: str = ""


@dataclass(frozen=True)
class NewMatter:
    name: str
    title: str
    content: str


def _code() -> str:
    return "".join(secrets.choice(ids.ALPHABET) for _ in range(CODE_LENGTH))


def _phone(phone: str, *, required: bool) -> str:
    p = normalize_phone(text(phone, limit=40, field="phone"))
    if (required or p) and not (len(p) == 11 and p.startswith("1")):
        raise invalid({"phone": [gettext("请填写 11 位手机号码")]})
    return p


def petition_by_code(*, code: str, password: str) -> Petition | None:
    """The petition with this tracking code and query password, or None (which of the two was
    wrong is not told; the password is compared in constant time)."""
    code = ids.normalize_tracking_code(code or "")
    password = "".join(ch for ch in (password or "") if ch.isdigit())
    p = None
    if len(code) == ids.CODE_LENGTH and all(ch in ids.ALPHABET for ch in code):
        p = Petition.objects.filter(tracking_code=code).first()
    stored = p.query_secret if p is not None else _NO_SECRET
    ok = ids.check_query_password(code, password, settings.SECRET_KEY, stored)
    return p if p is not None and ok else None


def _session_locked(session_id: int, at: datetime) -> ReceptionSession:
    s = (
        ReceptionSession.objects.select_for_update(of=("self",))
        .select_related("organ")
        .filter(pk=session_id)
        .first()
    )
    if s is None:
        raise NotFound()
    if s.cancelled:
        raise ApplicationError(gettext("该场接访已取消，请选择其他场次"), status=409)
    if s.on < clock.local_date(at):
        raise ApplicationError(gettext("该场接访已经举行，请选择其他场次"), status=409)
    return s


def _book(
    s: ReceptionSession,
    petition: Petition,
    *,
    phone: str,
    actor: User | None,
    at: datetime,
    notify: bool,
    submission: str | None,
) -> Appointment:
    if organ_accused_by(s.organ, petition.accused_organ_id):
        raise invalid(
            {
                "session": [
                    gettext("检举控告的事项不能由被检举控告的机关接待，请选择其他机关的接访场次")
                ]
            }
        )
    if Appointment.objects.filter(session=s, petition=petition, status__in=ACTIVE).exists():
        raise invalid({"session": [gettext("该事项已预约本场接访")]})
    taken = Appointment.objects.filter(session=s, status=AppointmentStatus.BOOKED).count()
    return Appointment.objects.create(
        session=s,
        petition=petition,
        code=_code(),
        status=AppointmentStatus.BOOKED if taken < s.capacity else AppointmentStatus.WAITING,
        phone_digest=phone_digest(phone) if phone else "",
        notify=notify,
        booked_by=actor,
        booked_at=at,
        submission=submission or None,
    )


def appointment_book_portal(
    *,
    session_id: int,
    phone: str,
    tracking_code: str = "",
    password: str = "",
    new: NewMatter | None = None,
    notify: bool = True,
    submission: str | None = None,
    at: datetime | None = None,
) -> Booking:
    """A petitioner books on the portal: an existing petition by its code and password, or a
    new matter (registered with channel 来访 at the session's organ, for its clerk's review)."""
    at = at or clock.now()
    if submission:
        done = Appointment.objects.filter(submission=submission).first()
        if done is not None:
            return Booking(done)
    phone = _phone(phone, required=True)
    with transaction.atomic():
        s = _session_locked(session_id, at)
        reg = None
        if new is None:
            petition = petition_by_code(code=tracking_code, password=password)
            if petition is None:
                raise invalid({"tracking_code": [gettext("查询码或查询密码不正确")]})
        else:
            errors: dict[str, list[str]] = {}
            name = text(new.name, limit=50, field="name")
            title = text(new.title, limit=200, field="title")
            content = text(new.content, limit=5000, field="content")
            if not name:  # Art. 19: a petition gives the petitioner's name
                errors["name"] = [gettext("请填写姓名（第十九条）")]
            if not title:
                errors["title"] = [gettext("请简要写明反映的问题")]
            if not content:
                errors["content"] = [gettext("请写明请求、事实和理由")]
            if errors:
                raise invalid(errors)
            reg = petition_register(
                data=PetitionInput(
                    channel="visit",
                    title=title,
                    content=content,
                    region_code=s.organ.region_id,
                    received_at=at,
                    parties=[PartyInput(role="petitioner", name=name, phone=phone)],
                ),
                organ=s.organ,
                actor=None,
                submitted_online=True,
            )
            petition = reg.petition
        a = _book(s, petition, phone=phone, actor=None, at=at, notify=notify, submission=submission)
    if reg is not None:
        return Booking(a, reg.petition.tracking_code, reg.query_password)
    return Booking(a)


def appointment_book_desk(
    *,
    actor: User,
    session_id: int,
    tracking_code: str,
    phone: str = "",
    submission: str | None = None,
    at: datetime | None = None,
) -> Booking:
    """A clerk books a petition the clerk may see into a session of the clerk's scope."""
    at = at or clock.now()
    if submission:
        done = Appointment.objects.filter(submission=submission, booked_by=actor).first()
        if done is not None:
            return Booking(done)
    phone = _phone(phone, required=False)
    code = ids.normalize_tracking_code(text(tracking_code, limit=40, field="tracking_code"))
    with transaction.atomic():
        s = _session_locked(session_id, at)
        gate(actor, Cap.RECEPTION_MANAGE, s.organ)
        petition = petition_queryset_for_user(user=actor).filter(tracking_code=code).first()
        if not code or petition is None:
            raise invalid(
                {"tracking_code": [gettext("未找到该查询码的信访事项（须在本人可见范围内）")]}
            )
        a = _book(s, petition, phone=phone, actor=actor, at=at, notify=True, submission=submission)
    return Booking(a)


def _by_code(code: str, phone: str) -> Appointment:
    code = ids.normalize_tracking_code(code or "")[:CODE_LENGTH]
    a = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("session__organ")
        .filter(code=code)
        .first()
    )
    digest = phone_digest(normalize_phone(phone or "")) if phone else ""
    if a is None or not a.phone_digest or not secrets.compare_digest(a.phone_digest, digest):
        raise NotFound(gettext("预约码或手机号码不正确"))
    return a


def appointment_find(*, code: str, phone: str) -> Appointment:
    """The petitioner's booking by its code and phone (NotFound for either wrong)."""
    with transaction.atomic():
        return _by_code(code, phone)


def _cancel(a: Appointment, at: datetime) -> None:
    if a.status not in ACTIVE:
        raise ApplicationError(gettext("该预约已取消或已接待"), status=409)
    if a.session.on < clock.local_date(at):
        raise ApplicationError(gettext("接访已经举行，不能取消"), status=409)
    was_booked = a.status == AppointmentStatus.BOOKED
    a.status = AppointmentStatus.CANCELLED
    a.cancelled_at = at
    a.save(update_fields=["status", "cancelled_at"])
    if was_booked:
        first = (
            Appointment.objects.filter(session_id=a.session_id, status=AppointmentStatus.WAITING)
            .order_by("booked_at", "id")
            .first()
        )
        if first is not None:
            first.status = AppointmentStatus.BOOKED
            first.save(update_fields=["status"])


def appointment_cancel(
    *, code: str, phone: str = "", actor: User | None = None, at: datetime | None = None
) -> Appointment:
    """Cancel by the booking code and phone (the petitioner), or by a clerk of the session's
    organ (``actor``). The first booking on the waiting list moves up."""
    at = at or clock.now()
    with transaction.atomic():
        if actor is None:
            a = _by_code(code, phone)
        else:
            a = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("session__organ")
                .filter(code=code)
                .first()
            )
            if a is None:
                raise NotFound()
            gate(actor, Cap.RECEPTION_MANAGE, a.session.organ)
        ReceptionSession.objects.select_for_update().filter(pk=a.session_id).first()
        _cancel(a, at)
    return a


def appointment_rebook(
    *, code: str, phone: str, session_id: int, at: datetime | None = None
) -> Appointment:
    """Move a booking to another session (the petitioner): the old one is cancelled, the new
    one gets a new code; both or neither."""
    at = at or clock.now()
    with transaction.atomic():
        a = _by_code(code, phone)
        if a.session_id == session_id:
            raise invalid({"session": [gettext("请选择另一场接访")]})
        ReceptionSession.objects.select_for_update().filter(pk=a.session_id).first()
        _cancel(a, at)
        s = _session_locked(session_id, at)
        return _book(
            s,
            a.petition,
            phone=phone,
            actor=None,
            at=at,
            notify=a.notify,
            submission=None,
        )
