"""Mediation and settlement (调解、和解, Art. 33): the record of a mediation and its agreement,
each party's signature (when, how) or refusal; all signed ends the matter through the ``settle``
step of ``petition_act`` (``in_handling`` -> ``settled``, the one writer of state) with the
numbered 调解（和解）协议书; a refusal means no agreement and the matter continues.

Who: the staff of the organ holding the petition whose role may take ``settle`` (the petitions
gate, ``actor_may``); a mediation outside the user's scope is a 404. The law's guards (only a
申诉求决类 matter in handling, no hearing under way) are those of the workflow table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.petitions.services import actor_may, petition_act, petition_step_check
from xinfang.petitions.workflow import Action
from xinfang.resolution.access import petition_record_scope, require
from xinfang.resolution.models import (
    Mediation,
    MediationKind,
    MediationSigner,
    MediationStatus,
    SignerSide,
    SignMethod,
)
from xinfang.resolution.services._shared import (
    ApplicationError,
    Forbidden,
    NotFound,
    invalid,
    record_for_update,
    text,
)

MAX_SIGNERS = 20


def _audit(actor: User, m: Mediation, action: str, at: datetime) -> None:
    audit_record(
        kind=f"mediation.{action}",
        actor=actor,
        object_type="mediation",
        object_id=m.pk,
        data={"petition_id": m.petition_id, "status": m.status},
        at=at,
    )


def _signers(rows: Sequence[tuple[str, str]]) -> list[MediationSigner]:
    out: list[MediationSigner] = []
    for side, name in rows:
        name = text(name, limit=100, field="signers")
        if not name and not side:
            continue
        if side not in SignerSide.values or not name:
            raise invalid({"signers": [gettext("请写明每位签字人的一方和姓名")]})
        out.append(MediationSigner(side=side, name=name))
    if len(out) > MAX_SIGNERS:
        raise invalid({"signers": [gettext("签字人过多")]})
    sides = {s.side for s in out}
    if SignerSide.PETITIONER not in sides or SignerSide.OTHER not in sides:
        raise invalid(
            {"signers": [gettext("协议应由双方当事人签字：请至少写明信访人一方和对方当事人各一人")]}
        )
    return out


def mediation_record(
    *,
    actor: User,
    petition_id: int,
    kind: str,
    held_on: date | None,
    place: str,
    mediator: str,
    present: str,
    agreed: str,
    consent: bool,
    signers: Sequence[tuple[str, str]],
    submission: str | None = None,
    at: datetime | None = None,
) -> Mediation:
    """Record a mediation (or a settlement the organ guided) and the agreement to be signed.

    Refused: a petition the actor may not see (404), an actor whose organ does not hold it or
    whose role may not settle, a matter the law does not let be mediated (``workflow``: only a
    申诉求决类 matter in handling, not during a hearing), no consent of both sides (Art. 33:
    双方当事人同意), a date in the future, an agreement already awaiting signatures."""
    require(actor, Cap.RESOLUTION_VIEW)
    at = at or clock.now()
    if submission:
        done = Mediation.objects.filter(submission=submission, created_by=actor).first()
        if done is not None:
            return done
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    if (why := actor_may(petition, Action.SETTLE, actor)) is not None:
        raise Forbidden(why)
    errors: dict[str, list[str]] = {}
    place = text(place, limit=200, field="place")
    mediator = text(mediator, limit=100, field="mediator")
    present = text(present, limit=5000, field="present")
    agreed = text(agreed, limit=20000, field="agreed")
    if kind not in MediationKind.values:
        errors["kind"] = [gettext("请选择调解或和解（第三十三条）")]
    if held_on is None:
        errors["held_on"] = [gettext("请填写调解日期")]
    elif held_on > clock.local_date(at):
        errors["held_on"] = [gettext("日期不能晚于今天")]
    for field, value, message in (
        ("place", place, gettext("请填写地点")),
        ("mediator", mediator, gettext("请填写调解人")),
        ("present", present, gettext("请填写到场人员")),
        ("agreed", agreed, gettext("请填写达成的协议内容")),
    ):
        if not value:
            errors[field] = [message]
    if not consent:
        errors["consent"] = [gettext("调解、和解须经双方当事人同意（第三十三条）")]
    try:
        people = _signers(signers)
    except ApplicationError as e:
        errors.update(e.fields or {})
        people = []
    if errors:
        raise invalid(errors)
    # the law's guards of the settle step (category, state, hearing), without taking it
    petition_step_check(
        petition=petition,
        action=Action.SETTLE,
        data={"agreement": kind, "summary": agreed},
    )
    with transaction.atomic():
        Petition.objects.select_for_update(of=("self",)).filter(pk=petition.pk).first()
        if Mediation.objects.filter(petition=petition, status=MediationStatus.SIGNING).exists():
            raise invalid({"petition": [gettext("该信访事项已有待签字的协议")]})
        m = Mediation.objects.create(
            petition=petition,
            organ_id=petition.current_organ_id,
            kind=kind,
            held_on=held_on,
            place=place,
            mediator=mediator,
            present=present,
            agreed=agreed,
            created_by=actor,
            created_at=at,
            submission=submission or None,
        )
        for s in people:
            s.mediation = m
        MediationSigner.objects.bulk_create(people)
        _audit(actor, m, "record", at)
    return m


def _for_update(actor: User, mediation_id: int) -> Mediation:
    return record_for_update(
        Mediation,
        actor=actor,
        record_id=mediation_id,
        scope=petition_record_scope(actor),
        missing=gettext("未找到该调解记录，或不在您的查看范围内"),
        step=Action.SETTLE,
    )


def mediation_sign(
    *,
    actor: User,
    mediation_id: int,
    signer_id: int,
    signed: bool,
    method: str = "",
    on: date | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Mediation:
    """Record one party's signature (``signed``, with the day and how) or refusal.

    A refusal: no agreement (the mediation fails with the reason), the matter continues in
    handling. The last signature: the ``settle`` step ends the matter (Art. 33) with the
    agreement's terms and every signature in its event, the agreement numbered by documents."""
    at = at or clock.now()
    today = clock.local_date(at)
    on = on or today
    reason = text(reason, limit=500, field="reason")
    errors: dict[str, list[str]] = {}
    if signed and method not in SignMethod.values:
        errors["method"] = [gettext("请选择签字方式：当面签字或书面签署")]
    if on > today:
        errors["on"] = [gettext("日期不能晚于今天")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        m = _for_update(actor, mediation_id)
        if m.status != MediationStatus.SIGNING:
            raise invalid({"signer": [gettext("该协议已不再等待签字")]})
        if on < m.held_on:
            raise invalid({"on": [gettext("签字日期不能早于调解日期")]})
        signer = m.signers.filter(pk=signer_id).first()
        if signer is None:
            raise NotFound(gettext("未找到该签字人"))
        if signer.signed is not None:
            raise invalid({"signer": [gettext("已登记该当事人的签字情况")]})
        signer.signed, signer.signed_on, signer.recorded_by = bool(signed), on, actor
        signer.method = method if signed else ""
        signer.save(update_fields=["signed", "signed_on", "method", "recorded_by"])
        if not signed:
            m.status = MediationStatus.FAILED
            m.failed_reason = reason or gettext("%(name)s拒绝签字") % {"name": signer.name}
            m.save(update_fields=["status", "failed_reason"])
            _audit(actor, m, "refused", at)
            return m
        signers = list(m.signers.all())
        if any(s.signed is not True for s in signers):
            _audit(actor, m, "signed", at)
            return m
        petition_act(
            petition_id=m.petition_id,
            action=Action.SETTLE,
            actor=actor,
            at=at,
            reason=m.agreed,
            data={
                "agreement": m.kind,
                "summary": m.agreed,
                "mediation_id": m.pk,
                "held_on": m.held_on.isoformat(),
                "place": m.place,
                "mediator": m.mediator,
                "present": m.present,
                "signatures": [
                    {
                        "name": s.name,
                        "side": s.side,
                        "side_label": SignerSide(s.side).label,
                        "on": s.signed_on.isoformat() if s.signed_on else "",
                        "method": s.method,
                    }
                    for s in signers
                ],
            },
        )
        m.settle_event = (
            PetitionEvent.objects.filter(petition_id=m.petition_id, action=Action.SETTLE)
            .order_by("-seq")
            .first()
        )
        m.status = MediationStatus.SETTLED
        m.save(update_fields=["status", "settle_event"])
        _audit(actor, m, "settled", at)
    return m


__all__ = ["mediation_record", "mediation_sign"]
