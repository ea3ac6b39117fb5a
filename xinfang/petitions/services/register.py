"""Receiving and registering petitions (Arts. 17–23), one at a time: the petition assembled in
memory and written. What a registration must carry, and its validation, is in
``register_rules.py``; the bulk path for imports (``bulk.py``) validates each petition with it
and assembles each with ``_assemble`` here, so both write the same rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.core.errors import Forbidden
from xinfang.core.rows import rows_insert
from xinfang.deadlines.tracker import DeadlineFact, next_due
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import user_can_register
from xinfang.petitions import extensions
from xinfang.petitions.models import Attachment, Party, Petition, PetitionEvent
from xinfang.petitions.seal import Written, petition_seal
from xinfang.petitions.services._shared import _as_datetime, _new_event
from xinfang.petitions.services.accused import _named_staff_save
from xinfang.petitions.services.act import _transition
from xinfang.petitions.services.attachments import (
    StagedFile,
    _attachment_rows,
    _attachments_write,
    attachment_files_guard,
)
from xinfang.petitions.services.deadlines import deadline_facts, deadline_rows
from xinfang.petitions.services.register_rules import (  # re-exported: importers name them here
    PartyInput,
    PetitionInput,
    _validate_registration,
)
from xinfang.petitions.services.worklist_tally import worklist_tally_move
from xinfang.petitions.workflow import OPEN_STATES, Action, Context, State

__all__ = [
    "PartyInput",
    "PetitionInput",
    "Registration",
    "petition_register",
    "petition_register_check",
]


@dataclass(frozen=True)
class Registration:
    petition: Petition
    query_password: str  # shown once on the receipt; only its HMAC is stored


def petition_register(
    *,
    data: PetitionInput,
    organ: Organ,
    actor: User | None,
    at: datetime | None = None,
    submitted_online: bool = False,
) -> Registration:
    """Receive and (for staff) register a petition at ``organ`` (Arts. 17–23).

    ``submitted_online`` leaves it RECEIVED for a clerk's review (the portal); otherwise the
    clerk's registration follows at once. Nothing is written unless all of it is valid.
    """
    if actor is not None and not user_can_register(actor):
        raise Forbidden(gettext("您的角色不能登记信访事项"))
    now = clock.now()
    received_at = _as_datetime(data.received_at) if data.received_at is not None else now
    clean = _validate_registration(data, organ=organ, received_at=received_at, now=now, actor=actor)
    if actor is not None and any(u.pk == actor.pk for u in clean["accused_staff"]):
        raise Forbidden(gettext("您是被检举控告人，应当回避（第二十八条、第三十条第三款）"))
    with attachment_files_guard():
        # The files first, outside the transaction (no lock held while the disk syncs).
        staged = _attachments_write(clean["files"])
        return _register_in_transaction(
            data, clean, staged, organ=organ, actor=actor, at=at, now=now,
            received_at=received_at, submitted_online=submitted_online,
        )  # fmt: skip


def petition_register_check(*, data: PetitionInput, organ: Organ) -> None:
    """Check a submission as ``petition_register`` would, writing nothing: the portal's step
    that shows the petitioner what will be sent (issue 12 item 13) refuses what registering
    would refuse. Raises ApplicationError."""
    now = clock.now()
    received_at = _as_datetime(data.received_at) if data.received_at is not None else now
    _validate_registration(data, organ=organ, received_at=received_at, now=now, actor=None)


def _register_in_transaction(
    data: PetitionInput,
    clean: dict[str, Any],
    staged: Sequence[StagedFile],
    *,
    organ: Organ,
    actor: User | None,
    at: datetime | None,
    now: datetime,
    received_at: datetime,
    submitted_online: bool,
) -> Registration:
    with transaction.atomic():
        # Everything is computed in memory first, so the new row is written by one INSERT.
        petition, password, events, facts = _assemble(
            data, clean, organ=organ, actor=actor, at=at, now=now,
            received_at=received_at, submitted_online=submitted_online,
        )  # fmt: skip
        # Written as the bulk path writes them (``core.rows``: one INSERT each, returning the
        # id, without Django compiling an INSERT per model at every registration; issue 14).
        # Every value was validated against its column by ``_validate_registration``.
        rows_insert([petition])
        rows_insert(events)
        deadlines = deadline_rows(petition, facts)
        rows_insert(deadlines)
        parties, attachments = _save_parties_and_files(petition, clean, staged)
        worklist_tally_move(before=None, after=petition)  # the worklist's counts
        extensions.registered(petitions=[petition])  # the search queue, the rollup
        # Last: the steps' audit records and the seal of what was written (ADR 0014), its
        # digest from these rows (new in this transaction: nothing to read back).
        petition_seal(
            petition_ids=[petition.pk],
            actor=actor,
            events=events,
            written=[
                Written(petition, events, deadlines, parties, attachments,
                        [u.pk for u in clean["accused_staff"]])
            ],
        )  # fmt: skip
    return Registration(petition, password)


def _assemble(
    data: PetitionInput,
    clean: Mapping[str, Any],
    *,
    organ: Organ,
    actor: User | None,
    at: datetime | None,
    now: datetime,
    received_at: datetime,
    submitted_online: bool = False,
) -> tuple[Petition, str, list[PetitionEvent], list[DeadlineFact]]:
    """The new petition with its events and deadlines, in memory (nothing written): one code
    for the single path and the bulk path (``bulk.py``), so both write the same rows."""
    petition, password = _build(data, clean, organ=organ, received_at=received_at)
    events = [
        _new_event(
            petition, 1, "receive", "", State.RECEIVED, actor, organ, received_at, now,
            data={"received_by": clean["received_by"]} if clean["received_by"] else None,
        )
    ]  # fmt: skip
    petition.state = State.RECEIVED  # the initial state, set once, at creation
    if not submitted_online:
        ev = _transition(
            petition,
            Action.REGISTER,
            Context(),
            actor=actor,
            at=at or now,
            seq=2,
            reason="",
            data={},
            now=now,
            prev_at=received_at,
        )
        events.append(ev)
    facts = deadline_facts(petition, events)
    petition.next_due = next_due(facts, organ.pk)
    petition.is_open = petition.state in OPEN_STATES
    return petition, password, events, facts


def _build(
    data: PetitionInput, clean: Mapping[str, Any], *, organ: Organ, received_at: datetime
) -> tuple[Petition, str]:
    code = ids.new_tracking_code()
    password = ids.new_query_password()
    p = Petition(
        tracking_code=code,
        query_secret=ids.hash_query_password(code, password, settings.SECRET_KEY),
        channel=data.channel,
        received_at=received_at,
        title=clean["title"],
        content=clean["content"],
        category=clean["category"],
        route=clean["route"],
        region=clean["region"],
        accused_organ=clean["accused"],
        accused_persons=clean["accused_persons"],
        is_collective=data.is_collective,
        head_count=data.head_count,
        is_anonymous=data.is_anonymous,
        confidential=data.confidential,
        registering_organ=organ,
        current_organ=organ,
        repeat_of=clean["repeat_of"],
        last_event_at=received_at,
    )
    return p, password


def _save_parties_and_files(
    petition: Petition, clean: Mapping[str, Any], staged: Sequence[StagedFile]
) -> tuple[list[Party], list[Attachment]]:
    if clean.get("accused_staff"):
        _named_staff_save(petition, clean["accused_staff"])
    parties = [Party(petition=petition, **vars(pi)) for pi in clean["parties"]]
    rows_insert(parties)
    return parties, _attachment_rows(petition, staged)
