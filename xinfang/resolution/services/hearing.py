"""Hearings (听证, Arts. 31(6), 36 para 2): schedule with participants and a numbered notice,
open and close through ``petition_act`` (the one writer of petition state and deadlines: at
re-review the hearing days are not counted in T10 and the due date is recomputed by the
tracker), record and outcome, cancel, and publication where the law allows it.

Who: the staff of the organ holding the petition whose role may take ``hearing_start`` (the
petitions gate, ``actor_may``); a hearing outside the user's scope is a 404."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.documents.services import document_number_next
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.petitions.services import actor_may, petition_act, petition_step_check
from xinfang.petitions.workflow import Action, State
from xinfang.resolution.access import hearing_scope, require
from xinfang.resolution.models import (
    Hearing,
    HearingParticipant,
    HearingStage,
    HearingStatus,
    ParticipantRole,
)
from xinfang.resolution.services._shared import (
    ApplicationError,
    Forbidden,
    exists,
    invalid,
    prior,
    record_for_update,
    text,
    unique,
)

NOTICE_CODE = "听通"  # 文种代字 of a hearing notice
DUPLICATE = "已存在：该信访事项已有待举行的听证"
MAX_PARTICIPANTS = 50
_STAGE = {
    State.IN_HANDLING: HearingStage.HANDLING,
    State.RE_REVIEW_REQUESTED: HearingStage.RE_REVIEW,
}
#: The states in which a hearing may be scheduled (the hearing page links to a new one only then)
SCHEDULABLE = frozenset(_STAGE)


#: The latest a hearing may be set after its notice. Handling takes 60 days (+30, Art. 32) and a
#: re-review 30 (Art. 36); a hearing further out than this is a typing mistake (9999-12-31 was
#: accepted and took a notice number: page walk), not a plan the law leaves room for.
LATEST_DAYS = 90


def _participants(rows: Sequence[tuple[str, str, str]]) -> list[HearingParticipant]:
    out: list[HearingParticipant] = []
    for role, name, unit in rows:
        name = text(name, limit=100, field="participants")
        unit = text(unit, limit=200, field="participants")
        if not name and not unit:
            continue
        if role not in ParticipantRole.values or not name:
            raise invalid({"participants": [gettext("请写明每位参加人的身份和姓名")]})
        out.append(HearingParticipant(role=role, name=name, unit=unit))
    if len(out) > MAX_PARTICIPANTS:
        raise invalid({"participants": [gettext("参加人过多")]})
    roles = {p.role for p in out}
    if ParticipantRole.PRESIDING not in roles or ParticipantRole.PETITIONER not in roles:
        raise invalid({"participants": [gettext("参加人应至少包括主持人和信访人")]})
    return out


def hearing_schedule(
    *,
    actor: User,
    petition_id: int,
    scheduled_for: datetime | None,
    place: str,
    reason: str,
    participants: Sequence[tuple[str, str, str]],
    submission: str | None = None,
    at: datetime | None = None,
) -> Hearing:
    """Schedule a hearing and number its notice (听证通知) to the participants.

    Refused: a petition the actor may not see (404), an actor whose organ does not hold it or
    whose role may not hold hearings, a matter the law gives no hearing (only route (6), in
    handling or at re-review: ``workflow`` guards), a second live hearing, a time in the past."""
    require(actor, Cap.RESOLUTION_VIEW)
    at = at or clock.now()
    if (done := prior(Hearing, submission, created_by=actor)) is not None:
        return done
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    if (why := actor_may(petition, Action.HEARING_START, actor)) is not None:
        raise Forbidden(why)
    petition_step_check(petition=petition, action=Action.HEARING_START, data={})
    errors: dict[str, list[str]] = {}
    reason = text(reason, limit=500, field="reason")
    place = text(place, limit=200, field="place")
    if not reason:
        errors["reason"] = [gettext("请写明举行听证的理由（重大、复杂、疑难，第三十一条第六项）")]
    if not place:
        errors["place"] = [gettext("请填写听证地点")]
    if scheduled_for is None:
        errors["scheduled_for"] = [gettext("请填写听证时间")]
    elif scheduled_for < at:
        errors["scheduled_for"] = [gettext("听证时间不能早于通知时间")]
    elif scheduled_for > at + timedelta(days=LATEST_DAYS):
        errors["scheduled_for"] = [gettext("听证时间不能晚于通知后 %(n)s 日") % {"n": LATEST_DAYS}]
    try:
        people = _participants(participants)
    except ApplicationError as e:  # kept with the other fields' errors
        errors.update(e.fields or {})
        people = []
    if errors:
        raise invalid(errors)
    today = clock.local_date(at)
    with transaction.atomic():
        Petition.objects.select_for_update(of=("self",)).filter(pk=petition.pk).first()
        if Hearing.objects.filter(
            petition=petition, status__in=(HearingStatus.SCHEDULED, HearingStatus.IN_PROGRESS)
        ).exists():
            raise exists(gettext(DUPLICATE), field="petition")
        with unique(gettext(DUPLICATE), field="petition"):  # one-time key; one live hearing
            hearing = Hearing.objects.create(
                petition=petition,
                organ_id=petition.current_organ_id,
                stage=_STAGE[State(petition.state)],
                reason=reason,
                scheduled_for=scheduled_for,
                place=place,
                notice_number=document_number_next(
                    organ_id=petition.current_organ_id, code=NOTICE_CODE, year=today.year
                ),
                notice_on=today,
                created_by=actor,
                created_at=at,
                submission=submission or None,
            )
            for p in people:
                p.hearing = hearing
            HearingParticipant.objects.bulk_create(people)
        _audit(actor, hearing, "schedule", at)
    return hearing


def _for_update(actor: User, hearing_id: int) -> Hearing:
    return record_for_update(
        Hearing,
        actor=actor,
        record_id=hearing_id,
        scope=hearing_scope(actor),
        missing=gettext("未找到该听证，或不在您的查看范围内"),
        step=Action.HEARING_START,
    )


def _must_be(hearing: Hearing, *status: str) -> None:
    if hearing.status not in status:
        raise invalid({"status": [gettext("该听证当前状态不能进行此操作")]})


def _not_before_notice(hearing: Hearing, at: datetime) -> None:
    """A hearing is held, or called off, only after its notice went to the participants
    (Arts. 31(6), 36 para 2: the participants are told the time and place first): a date before
    the notice's date is a typing mistake that would also move the T10 pause back in time."""
    if clock.local_date(at) < hearing.notice_on:
        raise invalid(
            {
                "on": [
                    gettext("日期不能早于听证通知日期 %(day)s")
                    % {"day": hearing.notice_on.isoformat()}
                ]
            }
        )


def _audit(actor: User, hearing: Hearing, action: str, at: datetime) -> None:
    audit_record(
        kind=f"hearing.{action}",
        actor=actor,
        object_type="hearing",
        object_id=hearing.pk,
        data={"petition_id": hearing.petition_id, "status": hearing.status},
        at=at,
    )


def hearing_open(*, actor: User, hearing_id: int, at: datetime | None = None) -> Hearing:
    """The hearing begins (``at``: its real date): ``petition_act(hearing_start)`` pauses T10
    at re-review (Art. 36 para 2); in handling T6 runs on (the law excludes no time there)."""
    at = at or clock.now()
    with transaction.atomic():
        hearing = _for_update(actor, hearing_id)
        _must_be(hearing, HearingStatus.SCHEDULED)
        _not_before_notice(hearing, at)
        petition_act(
            petition_id=hearing.petition_id,
            action=Action.HEARING_START,
            actor=actor,
            at=at,
            reason=hearing.notice_number,
            data={"hearing_id": hearing.pk},
        )
        hearing.status, hearing.started_on = HearingStatus.IN_PROGRESS, clock.local_date(at)
        hearing.save(update_fields=["status", "started_on"])
        _audit(actor, hearing, "open", at)
    return hearing


def hearing_close(
    *, actor: User, hearing_id: int, record: str, outcome: str, at: datetime | None = None
) -> Hearing:
    """The hearing ends with its record (听证笔录) and outcome: ``petition_act(hearing_end)``
    resumes T10 with the due date moved by the hearing's days."""
    at = at or clock.now()
    record = text(record, limit=50000, field="record")
    outcome = text(outcome, limit=10000, field="outcome")
    errors: dict[str, list[str]] = {}
    if not record:
        errors["record"] = [gettext("请填写听证笔录")]
    if not outcome:
        errors["outcome"] = [gettext("请填写听证意见")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        hearing = _for_update(actor, hearing_id)
        _must_be(hearing, HearingStatus.IN_PROGRESS)
        petition_act(
            petition_id=hearing.petition_id,
            action=Action.HEARING_END,
            actor=actor,
            at=at,
            reason=hearing.notice_number,
            data={"hearing_id": hearing.pk},
        )
        hearing.status, hearing.ended_on = HearingStatus.CONCLUDED, clock.local_date(at)
        hearing.record, hearing.outcome = record, outcome
        hearing.save(update_fields=["status", "ended_on", "record", "outcome"])
        _audit(actor, hearing, "close", at)
    return hearing


def hearing_cancel(
    *, actor: User, hearing_id: int, reason: str, at: datetime | None = None
) -> Hearing:
    """A scheduled hearing that will not be held (the participants are told why)."""
    at = at or clock.now()
    reason = text(reason, limit=500, field="cancel_reason")
    if not reason:
        raise invalid({"cancel_reason": [gettext("请写明取消的理由")]})
    with transaction.atomic():
        hearing = _for_update(actor, hearing_id)
        _must_be(hearing, HearingStatus.SCHEDULED)
        _not_before_notice(hearing, at)
        hearing.status, hearing.cancel_reason = HearingStatus.CANCELLED, reason
        hearing.save(update_fields=["status", "cancel_reason"])
        _audit(actor, hearing, "cancel", at)
    return hearing


def hearing_publish(
    *, actor: User, hearing_id: int, publication: str, at: datetime | None = None
) -> Hearing:
    """Publish the re-review opinion reached after a hearing (Art. 36 para 2: 经过听证的复核意见
    可以依法向社会公示): only a concluded re-review hearing, once the re-review opinion is issued.
    The text is the organ's own summary; it names no petitioner."""
    at = at or clock.now()
    publication = text(publication, limit=10000, field="publication")
    if not publication:
        raise invalid({"publication": [gettext("请填写公示内容")]})
    with transaction.atomic():
        hearing = _for_update(actor, hearing_id)
        _must_be(hearing, HearingStatus.CONCLUDED)
        if hearing.stage != HearingStage.RE_REVIEW:
            raise invalid(
                {
                    "publication": [
                        gettext("只有经过听证的复核意见可以向社会公示（第三十六条第二款）")
                    ]
                }
            )
        decided = (
            Petition.objects.filter(pk=hearing.petition_id).values_list("state", flat=True).first()
        )
        if decided == State.RE_REVIEW_REQUESTED:
            raise invalid({"publication": [gettext("复核意见出具后方可公示")]})
        hearing.publication, hearing.published_on = publication, clock.local_date(at)
        hearing.save(update_fields=["publication", "published_on"])
        _audit(actor, hearing, "publish", at)
    return hearing


__all__ = [
    "hearing_cancel",
    "hearing_close",
    "hearing_open",
    "hearing_publish",
    "hearing_schedule",
]
