"""Registering a petition of the past with the steps it went through (issue 16, history import).

A petition office that starts using the system brings its 台账 of earlier years: each petition
with its original dates (received, registered, transferred, accepted, answered, delivered,
closed). :func:`petition_register_past` writes one such petition through the same two services
every petition goes through (``petition_register`` and ``petition_act``), each step at its
original date (time as an argument): the law's table decides whether the steps may follow one
another (Arts. 22, 23, 29-36), the deadlines are folded from those dates, the rollup and the
audit chain are kept as for any step, and one audit record says who imported it from where.
Nothing is written unless every step is lawful (one transaction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ, User
from xinfang.petitions.models import Petition
from xinfang.petitions.services._shared import _as_datetime
from xinfang.petitions.services.act import petition_act
from xinfang.petitions.services.register import PetitionInput, petition_register
from xinfang.petitions.workflow import ACTION_LABELS, Action


@dataclass(frozen=True)
class PastStep:
    """One step the petition went through, on its original date."""

    action: str
    at: datetime | date
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


def petition_register_past(
    *,
    data: PetitionInput,
    organ: Organ,
    registered_at: datetime | date,
    steps: Sequence[PastStep],
    source: str,
    source_ref: str,
    actor: User | None,
) -> Petition:
    """Register a petition received in the past at ``organ`` and take its ``steps``, each at
    its original date, in one transaction. ``data.received_at`` is the original receipt.

    The steps are taken by no user of this system (they were taken on paper, by the organs of
    the time): ``actor`` is who imports, recorded in the ``petition.imported`` audit record
    with ``source`` and ``source_ref`` (the row of the source file). A step the law does not
    allow, or a date before the step before it, refuses the whole petition with an
    ApplicationError naming the step."""
    if data.received_at is None:
        raise ApplicationError(
            gettext("请填写收到日期"), fields={"received_at": [gettext("请填写收到日期")]}
        )
    with transaction.atomic():
        petition = petition_register(
            data=data, organ=organ, actor=None, at=_as_datetime(registered_at)
        ).petition
        for i, step in enumerate(steps):
            try:
                petition = petition_act(
                    petition_id=petition.pk,
                    action=step.action,
                    actor=None,
                    at=step.at,
                    reason=step.reason,
                    data={**step.data, "imported": source},
                )
            except ApplicationError as e:
                raise _step_refused(i, step, e) from e
        audit_record(
            kind="petition.imported",
            actor=actor,
            object_type="petition",
            object_id=petition.pk,
            data={"source": source, "row": source_ref, "steps": len(steps)},
        )
    return petition


def _step_refused(i: int, step: PastStep, e: ApplicationError) -> ApplicationError:
    """Step ``i`` refused, named for the report: its number, its label and its date."""
    label = ACTION_LABELS.get(Action(step.action), step.action)
    details = [m for ms in e.fields.values() for m in ms]
    return ApplicationError(
        gettext("第 %(n)s 步“%(step)s”（%(day)s）：%(why)s")
        % {
            "n": i + 1,
            "step": gettext(label),
            "day": step.at.isoformat()[:10],
            "why": "；".join([e.message, *details]),
        },
        code=e.code,
        fields={f"steps[{i}].{k}": v for k, v in e.fields.items()},
    )
