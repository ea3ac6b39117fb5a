"""The bulk registration path of the importers (12345 hotline, history 台账; ADR 0020).

The rules are the single path's, not a copy: every row is validated by
``register_rules._validate_registration``, assembled by ``register._assemble`` (the same events, the
same deadlines, folded by the same tracker) and, for a petition of the past, each of its steps is
taken by ``act._step``, the core of ``petition_act``. What differs is how it is written: a batch
of rows is one transaction, the petitions, events, deadlines, parties and named staff go in with a
few multi-row INSERTs, the search queue and the rollup take the batch in one call
(``extensions.registered``), and the audit records of the whole batch are appended and its
petitions sealed in one step (``petition_seal``: each chain head locked once). Tamper evidence is
the same as for single registrations: every petition sealed, every step recorded, in its chain.

* ``petition_register_many``: all or nothing (a refused row refuses the call; the demo seed, the
  hotline import, whose file is all or nothing, issue 20);
* ``petition_register_batch``: a refused row is reported and only that row is skipped;
* ``petition_register_past_many`` (in ``bulk_past.py``, on top of this module's validation,
  writing and sealing): petitions of the past with their steps (the history import), a refused
  row skipped, the others committed with the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import Entry
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.core.rows import rows_insert
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import user_can_register
from xinfang.petitions import extensions
from xinfang.petitions import validation as v
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.seal import Written, petition_seal
from xinfang.petitions.services._shared import _as_datetime
from xinfang.petitions.services.attachments import (
    _attachment_rows,
    _attachments_write,
    attachment_files_guard,
)
from xinfang.petitions.services.deadlines import deadline_rows
from xinfang.petitions.services.register import PetitionInput, Registration, _assemble
from xinfang.petitions.services.register_rules import _validate_registration
from xinfang.petitions.services.worklist_tally import worklist_tally_moves

RECUSE = "您是被检举控告人，应当回避（第二十八条、第三十条第三款）"


@dataclass
class Batch:
    """What a batch did: ``registered`` maps an item's index to its registration, ``refused``
    an item's index to the reasons it was not written (each as the single path words it)."""

    registered: dict[int, Registration] = field(default_factory=dict)
    refused: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Ready:
    index: int
    data: PetitionInput
    clean: dict[str, Any]
    received_at: datetime
    at: datetime | None  # the registration's time (None: now)
    organ: Organ


def reasons_of(e: ApplicationError) -> list[str]:
    """An ApplicationError as lines of a report: each field's message, else the message."""
    return [f"{k}: {m}" for k, ms in e.fields.items() for m in ms] or [e.message]


def _check_actor(actor: User | None) -> None:
    if actor is not None and not user_can_register(actor):
        raise Forbidden(gettext("您的角色不能登记信访事项"))


def _validate(
    items: Sequence[tuple[PetitionInput, Organ, datetime | None]],
    *,
    actor: User | None,
    now: datetime,
) -> tuple[list[_Ready], dict[int, list[str]]]:
    """Each item checked as ``petition_register`` checks it (``_validate_registration``)."""
    ready: list[_Ready] = []
    refused: dict[int, list[str]] = {}
    v.regions_warm({d.region_code for d, _o, _a in items})
    for i, (data, organ, at) in enumerate(items):
        received_at = _as_datetime(data.received_at) if data.received_at is not None else now
        try:
            clean = _validate_registration(
                data, organ=organ, received_at=received_at, now=now, actor=actor
            )
        except ApplicationError as e:
            refused[i] = reasons_of(e)
            continue
        if actor is not None and any(u.pk == actor.pk for u in clean["accused_staff"]):
            refused[i] = [gettext(RECUSE)]
            continue
        ready.append(_Ready(i, data, clean, received_at, at, organ))
    return ready, refused


def petition_register_many_check(
    *, items: Sequence[PetitionInput], organ: Organ, actor: User | None = None
) -> dict[int, list[str]]:
    """Check each item as ``petition_register`` would, writing nothing: the index of each
    refused item with its reasons (a dry run)."""
    _ready, refused = _validate([(d, organ, None) for d in items], actor=actor, now=clock.now())
    return refused


def petition_register_many(
    *, items: Sequence[PetitionInput], organ: Organ, actor: User | None
) -> list[Registration]:
    """Register every item at ``organ`` now, or none: one refused item refuses the call with an
    ApplicationError whose fields name it (``items[i]``)."""
    _check_actor(actor)
    now = clock.now()
    ready, refused = _validate([(d, organ, None) for d in items], actor=actor, now=now)
    if actor is not None and any(r == [gettext(RECUSE)] for r in refused.values()):
        raise Forbidden(gettext(RECUSE))
    if refused:
        raise ApplicationError(
            gettext("部分信访事项无效，均未保存"),
            code="invalid",
            fields={f"items[{i}]": msgs for i, msgs in sorted(refused.items())},
        )
    with transaction.atomic():
        hand: list[Written] = []
        written = _write(ready, actor=actor, now=now, hand=hand)
        _seal(written, actor=actor, hand=hand)
    return [reg for reg, _events in written]


def petition_register_batch(
    *,
    items: Sequence[PetitionInput],
    organ: Organ,
    actor: User | None,
    at: Sequence[datetime | date | None] | None = None,
) -> Batch:
    """Register the valid items at ``organ`` in one transaction; a refused item is reported in
    ``Batch.refused`` and only it is skipped. ``at``: each item's registration time (default
    now), as ``petition_register``'s ``at``."""
    _check_actor(actor)
    now = clock.now()
    times = list(at) if at is not None else [None] * len(items)
    ready, refused = _validate(
        [
            (d, organ, _as_datetime(t) if t is not None else None)
            for d, t in zip(items, times, strict=True)
        ],
        actor=actor,
        now=now,
    )
    out = Batch(refused=refused)
    with transaction.atomic():
        hand: list[Written] = []
        written = _write(ready, actor=actor, now=now, hand=hand)
        _seal(written, actor=actor, hand=hand)
    out.registered = {r.index: reg for r, (reg, _e) in zip(ready, written, strict=True)}
    return out


def _write(
    ready: Sequence[_Ready],
    *,
    actor: User | None,
    now: datetime,
    pending: dict[int, list[Deadline]] | None = None,
    hand: list[Written] | None = None,
) -> list[tuple[Registration, list[PetitionEvent]]]:
    """Write the assembled petitions with a few multi-row INSERTs, in the caller's transaction;
    the registration hooks (search queue, rollup) take the batch at once. Not sealed here.
    ``pending``: their deadline rows are put there (steps follow) instead of written.
    ``hand``: each petition's rows as written are put there (for its seal's digest)."""
    if not ready:
        return []
    assembled = [
        _assemble(r.data, r.clean, organ=r.organ, actor=actor, at=r.at, now=now,
                  received_at=r.received_at)
        for r in ready
    ]  # fmt: skip
    petitions = [p for p, _pw, _e, _f in assembled]
    with attachment_files_guard():
        staged = [_attachments_write(r.clean["files"]) if r.clean["files"] else [] for r in ready]
        rows_insert(petitions)
        rows_insert([e for _p, _pw, evs, _f in assembled for e in evs])
        deadlines = [deadline_rows(p, facts) for p, _pw, _e, facts in assembled]
        if pending is None:
            rows_insert([row for rows in deadlines for row in rows])
        else:
            pending.update({p.pk: rows for p, rows in zip(petitions, deadlines, strict=True)})
        parties = [
            [Party(petition=p, **vars(pi)) for pi in r.clean["parties"]]
            for p, r in zip(petitions, ready, strict=True)
        ]
        rows_insert([party for rows in parties for party in rows])
        through = Petition.accused_staff.through
        rows_insert(
            [
                through(petition_id=p.pk, user_id=u.pk)
                for p, r in zip(petitions, ready, strict=True)
                for u in r.clean["accused_staff"]
            ]
        )
        attachments = [
            _attachment_rows(p, files) if files else []
            for p, files in zip(petitions, staged, strict=True)
        ]
    worklist_tally_moves((None, p) for p in petitions)  # the worklist's counts: one call
    extensions.registered(petitions=petitions)  # the search queue, the rollup: one call
    if hand is not None and pending is None:
        hand.extend(
            Written(p, evs, d, pa, at, [u.pk for u in r.clean["accused_staff"]])
            for (p, _pw, evs, _f), d, pa, at, r in zip(
                assembled, deadlines, parties, attachments, ready, strict=True
            )
        )
    return [(Registration(p, pw), list(evs)) for p, pw, evs, _f in assembled]


def _seal(
    written: Sequence[tuple[Registration, list[PetitionEvent]]],
    *,
    actor: User | None,
    entries: Sequence[Entry] = (),
    hand: Sequence[Written] = (),
) -> None:
    """The batch's audit records (every step, then ``entries``) and its petitions' seals, in
    one append (ADR 0014): each chain head is locked once for the whole batch. ``hand``: the
    rows just written, the digests' source (else they are read back)."""
    if not written:
        return
    petition_seal(
        petition_ids=[reg.petition.pk for reg, _e in written],
        actor=actor,
        events=[e for _reg, evs in written for e in evs],
        entries=entries,
        written=hand,
    )
