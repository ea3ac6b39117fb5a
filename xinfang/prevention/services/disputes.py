"""The dispute screening ledger (矛盾纠纷排查化解台账): record a dispute, its mediation steps and
its outcome (regulation §10: settled where it arises, or referred to a court, arbitration or the
competent organ, or turned into a petition with the link kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.prevention import rules
from xinfang.prevention.models import (
    Dispute,
    DisputeKind,
    DisputeParty,
    DisputeStep,
    Outcome,
    PartySide,
    StepKind,
)
from xinfang.prevention.services._shared import ApplicationError, NotFound, gate, invalid, text
from xinfang.prevention.services.ledger import dispute_count_move

MAX_PARTIES = 20


@dataclass(frozen=True)
class PartyInput:
    side: str
    name: str
    asks: str = ""


def _cycle_months() -> int:
    return int(getattr(settings, "XINFANG_SCREENING_CYCLE_MONTHS", 1))


def dispute_record(
    *,
    actor: User,
    organ: Organ,
    kind: str,
    place: str,
    summary: str,
    found_on: date,
    responsible: str,
    parties: list[PartyInput],
    submission: str | None = None,
    at: datetime | None = None,
) -> Dispute:
    """Record a dispute found in screening. ``submission`` (the form's one-time key) makes a
    repeated post return the first entry instead of a second one."""
    gate(actor, Cap.PREVENTION_RECORD, organ)
    at = at or clock.now()
    if submission:
        done = Dispute.objects.filter(submission=submission, recorded_by=actor).first()
        if done is not None:
            return done
    errors: dict[str, list[str]] = {}
    if kind not in DisputeKind.values:
        errors["kind"] = [gettext("请选择纠纷类型")]
    place = text(place, limit=200, field="place")
    summary = text(summary, limit=5000, field="summary")
    responsible = text(responsible, limit=50, field="responsible")
    if not place:
        errors["place"] = [gettext("请填写发生地点")]
    if not summary:
        errors["summary"] = [gettext("请填写纠纷简况")]
    if not responsible:
        errors["responsible"] = [gettext("请填写化解责任人")]
    if found_on > clock.local_date(at):
        errors["found_on"] = [gettext("发现日期不能晚于今天")]
    clean = []
    for p in parties:
        name, asks = (
            text(p.name, limit=100, field="parties"),
            text(p.asks, limit=2000, field="parties"),
        )
        if not name and not asks:
            continue
        if not name or p.side not in PartySide.values:
            errors["parties"] = [gettext("每一方都要有姓名或名称")]
            continue
        clean.append(PartyInput(side=p.side, name=name, asks=asks))
    if not clean:
        errors.setdefault("parties", [gettext("至少填写一方当事人")])
    if len(clean) > MAX_PARTIES:
        errors["parties"] = [gettext("当事方过多")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        d = Dispute.objects.create(
            organ=organ,
            kind=kind,
            place=place,
            summary=summary,
            found_on=found_on,
            cycle=rules.cycle_start(found_on, months=_cycle_months()),
            responsible=responsible,
            recorded_by=actor,
            recorded_at=at,
            submission=submission or None,
        )
        DisputeParty.objects.bulk_create(
            DisputeParty(dispute=d, side=p.side, name=p.name, asks=p.asks) for p in clean
        )
        _moved(d, None)
    return d


def _locked(dispute_id: int) -> Dispute:
    d = Dispute.objects.select_for_update().select_related("organ").filter(pk=dispute_id).first()
    if d is None:
        raise NotFound()
    return d


def _moved(d: Dispute, old: str | None) -> None:
    """Keep the ledger's counts with the entry, in its transaction."""
    dispute_count_move(organ_id=d.organ_id, cycle=d.cycle, kind=d.kind, old=old, new=d.status)


def dispute_step_add(
    *,
    actor: User,
    dispute_id: int,
    kind: str,
    on: date,
    note: str,
    at: datetime | None = None,
) -> DisputeStep:
    """Record a mediation step; the entry becomes "mediating". A closed entry takes none."""
    at = at or clock.now()
    note = text(note, limit=5000, field="note")
    with transaction.atomic():
        d = _locked(dispute_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        errors: dict[str, list[str]] = {}
        if kind not in StepKind.values:
            errors["kind"] = [gettext("请选择调解方式")]
        if not note:
            errors["note"] = [gettext("请填写经过")]
        if on > clock.local_date(at) or on < d.found_on:
            errors["on"] = [gettext("日期应在发现日期和今天之间")]
        if errors:
            raise invalid(errors)
        old = d.status
        try:
            d.status = rules.status_after_step(d.status)
        except ValueError:
            raise ApplicationError(gettext("该纠纷已办结，不能再记录调解"), status=409) from None
        d.save(update_fields=["status"])
        _moved(d, old)
        return DisputeStep.objects.create(
            dispute=d, kind=kind, on=on, note=note, recorded_by=actor, recorded_at=at
        )


def dispute_close(
    *,
    actor: User,
    dispute_id: int,
    outcome: str,
    on: date,
    note: str = "",
    referred_to: str = "",
    tracking_code: str = "",
    at: datetime | None = None,
) -> Dispute:
    """Close the entry with its outcome. Referral names where it went; "turned into a petition"
    names the petition (by its tracking code, one the actor may see), and the link is kept both
    ways (the petition page shows the dispute it came from)."""
    at = at or clock.now()
    note = text(note, limit=5000, field="note")
    referred_to = text(referred_to, limit=200, field="referred_to")
    tracking_code = ids.normalize_tracking_code(
        text(tracking_code, limit=40, field="tracking_code")
    )
    with transaction.atomic():
        d = _locked(dispute_id)
        gate(actor, Cap.PREVENTION_RECORD, d.organ)
        errors: dict[str, list[str]] = {}
        if outcome not in Outcome.values:
            raise invalid({"outcome": [gettext("请选择化解结果")]})
        if on > clock.local_date(at) or on < d.found_on:
            errors["on"] = [gettext("日期应在发现日期和今天之间")]
        if rules.Outcome(outcome) in rules.OUTCOMES_NAMING_A_PLACE and not referred_to:
            errors["referred_to"] = [gettext("请写明移交或引导至哪个法院、仲裁机构或机关")]
        petition = None
        if outcome == Outcome.PETITION:
            petition = (
                petition_queryset_for_user(user=actor).filter(tracking_code=tracking_code).first()
                if tracking_code
                else None
            )
            if petition is None:
                errors["tracking_code"] = [
                    gettext("未找到该查询码的信访事项（须在本人可见范围内）")
                ]
        if errors:
            raise invalid(errors)
        old = d.status
        try:
            d.status = rules.status_after_outcome(d.status, outcome)
        except ValueError:
            raise ApplicationError(gettext("该纠纷已办结"), status=409) from None
        d.outcome, d.outcome_note, d.closed_on = outcome, note, on
        d.referred_to = referred_to if outcome != Outcome.SETTLED else ""
        d.petition = petition
        d.save(
            update_fields=[
                "status",
                "outcome",
                "outcome_note",
                "closed_on",
                "referred_to",
                "petition",
            ]
        )
        _moved(d, old)
    return d
