"""The bulk path for petitions of the past (the history 台账 import; ADR 0020):
``petition_register_past_many`` registers them with their steps in one transaction, through
``bulk.py``'s validation, writing and sealing. Each step is taken by ``act._step``, the core of
``petition_act``, at its original date, so the law's table, the step's checks, the deadlines and
the hooks are the single path's (``history.petition_register_past`` takes one the same way)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import Entry
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, User
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.services._shared import _as_datetime
from xinfang.petitions.services.act import _step, _within_limits
from xinfang.petitions.services.bulk import Batch, _Ready, _seal, _validate, _write
from xinfang.petitions.services.history import PastStep, _step_refused
from xinfang.petitions.services.register import PetitionInput, Registration
from xinfang.petitions.services.steps import deadlines_pending
from xinfang.petitions.workflow import Action


@dataclass(frozen=True)
class PastItem:
    """A petition of the past, as ``petition_register_past`` takes it."""

    data: PetitionInput
    organ: Organ
    registered_at: datetime | date
    steps: Sequence[PastStep]
    source_ref: str


class _Refused(Exception):
    def __init__(self, index: int, reasons: list[str]) -> None:
        self.index, self.reasons = index, reasons


def petition_register_past_many(
    *,
    items: Sequence[PastItem],
    source: str,
    actor: User | None,
    then: Callable[[int, Petition], None] | None = None,
) -> Batch:
    """Register petitions of the past with their steps, as ``petition_register_past`` does
    each, in one transaction: a refused row (its registration, one of its steps, or ``then``,
    the caller's own work on the row inside the transaction, raising ApplicationError) is
    reported and skipped, the others are written and sealed together.

    The steps are taken by ``act._step`` (the core of ``petition_act``) at their original
    dates, so the law's table, the step's checks, the deadlines and the hooks are the single
    path's. A row refused at a step is rolled back to its savepoint; its registration is in the
    batch's INSERTs, so the batch is then written again without it (at most once more: the
    remaining rows passed every check)."""
    now = clock.now()
    pre: dict[int, list[str]] = {}
    todo: list[int] = []
    for i, item in enumerate(items):
        if item.data.received_at is None:
            pre[i] = [gettext("请填写收到日期")]
        else:
            todo.append(i)
    for _attempt in range(len(items) + 1):
        out = Batch(refused=dict(pre))
        try:
            with transaction.atomic():
                later = _past_attempt(items, todo, source=source, actor=actor, then=then,
                                      now=now, out=out)  # fmt: skip
                if later:  # rows refused after their registration was written: again without
                    raise _Again(later)
        except _Again as again:
            pre.update(again.refused)
            todo = [i for i in todo if i not in again.refused]
            continue
        return out
    raise AssertionError("unreachable: each attempt removes a row")  # pragma: no cover


class _Again(Exception):
    def __init__(self, refused: dict[int, list[str]]) -> None:
        self.refused = refused


def _past_attempt(
    items: Sequence[PastItem],
    todo: list[int],
    *,
    source: str,
    actor: User | None,
    then: Callable[[int, Petition], None] | None,
    now: datetime,
    out: Batch,
) -> dict[int, list[str]]:
    """One try at the batch (inside its transaction). Returns the rows refused after their
    registration was written (the caller rolls back and tries again without them)."""
    ready, refused = _validate(
        [(items[i].data, items[i].organ, _as_datetime(items[i].registered_at)) for i in todo],
        actor=None,  # the steps were taken on paper, by the organs of the time
        now=now,
    )
    for k, reasons in refused.items():
        out.refused[todo[k]] = reasons
    pending: dict[int, list[Deadline]] = {}
    token = deadlines_pending.set(pending)  # the steps fold deadlines in memory (act._step)
    try:
        return _past_rows(items, todo, ready, pending, source=source, actor=actor, then=then,
                          now=now, out=out)  # fmt: skip
    finally:
        deadlines_pending.reset(token)


def _past_rows(
    items: Sequence[PastItem],
    todo: list[int],
    ready: list[_Ready],
    pending: dict[int, list[Deadline]],
    *,
    source: str,
    actor: User | None,
    then: Callable[[int, Petition], None] | None,
    now: datetime,
    out: Batch,
) -> dict[int, list[str]]:
    written = _write(ready, actor=None, now=now, pending=pending)
    later: dict[int, list[str]] = {}
    entries: list[Entry] = []
    kept: list[tuple[Registration, list[PetitionEvent]]] = []
    for r, (reg, events) in zip(ready, written, strict=True):
        index = todo[r.index]
        item = items[index]
        petition = reg.petition
        history = list(events)
        try:
            with transaction.atomic():
                for n, step in enumerate(item.steps):
                    _past_step(petition, n, step, history, source=source, now=now)
                Deadline.objects.bulk_create(pending.pop(petition.pk))  # the last fold, once
                if then is not None:
                    then(index, petition)
        except ApplicationError as e:
            later[index] = [
                e.message,
                *[m for ms in e.fields.values() for m in ms if m != e.message],
            ]
            continue
        kept.append((reg, history))
        entries.append(
            Entry(
                "petition.imported",
                actor,
                "petition",
                petition.pk,
                {"source": source, "row": item.source_ref, "steps": len(item.steps)},
            )
        )
        out.registered[index] = reg
    if later:
        return later
    _seal(kept, actor=None, entries=entries)
    return {}


def _past_step(
    petition: Petition,
    n: int,
    step: PastStep,
    history: list[PetitionEvent],
    *,
    source: str,
    now: datetime,
) -> None:
    """Step ``n`` of a petition of the past, as ``petition_register_past`` takes it through
    ``petition_act`` (the same checks, in the same order; no lock: the row is this
    transaction's own)."""
    data = {**step.data, "imported": source}
    try:
        action = Action(step.action)
        _within_limits(step.reason, data)
        _step(petition, action, actor=None, at=step.at, reason=step.reason, data=data, now=now,
              history=history)  # fmt: skip
    except ApplicationError as e:
        raise _step_refused(n, step, e) from e
