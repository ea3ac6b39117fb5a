"""Writes to petitions. ``petition_act`` (``act.py``) is the one writer of ``Petition.state``.

Every public function is keyword-only and runs in one transaction: validate everything first,
then write the petition, its event and its deadlines together, so a refusal leaves nothing
behind. Refusals raise :class:`ApplicationError` with field-level messages.

By what they do: ``register`` (receiving and registering one) with ``register_rules`` (what a
registration must carry, and its validation), ``bulk`` (the importers' batches, ADR 0020) with
``bulk_past`` (petitions of the past with their steps), ``act`` (the one
writer of state) with ``steps`` (what each step requires and changes), ``accused`` (the staff
an accusation names), ``attachments``, ``deadlines`` (the petition's deadline rows);
``_shared`` holds their common helpers. Every public name is importable from
``xinfang.petitions.services`` itself.
"""

from xinfang.petitions.gate import actor_may, petition_context
from xinfang.petitions.services.accused import petition_accused_set, staff_by_names
from xinfang.petitions.services.act import petition_act, petition_step_check
from xinfang.petitions.services.attachments import AttachmentInput, attachment_add
from xinfang.petitions.services.bulk import (
    Batch,
    petition_register_batch,
    petition_register_many,
    petition_register_many_check,
)
from xinfang.petitions.services.bulk_past import PastItem, petition_register_past_many
from xinfang.petitions.services.deadlines import deadline_recompute, deadline_recompute_open
from xinfang.petitions.services.flags import petition_flag_set, petition_flags
from xinfang.petitions.services.history import PastStep, petition_register_past
from xinfang.petitions.services.receipt import petition_receipt_again
from xinfang.petitions.services.register import (
    PartyInput,
    PetitionInput,
    Registration,
    petition_register,
    petition_register_check,
)
from xinfang.petitions.services.remote import petition_remote_concluded
from xinfang.petitions.services.steps import _remedy_text

__all__ = [
    "AttachmentInput",
    "Batch",
    "PastItem",
    "PartyInput",
    "PastStep",
    "PetitionInput",
    "Registration",
    "_remedy_text",
    "actor_may",
    "attachment_add",
    "deadline_recompute",
    "deadline_recompute_open",
    "petition_accused_set",
    "petition_act",
    "petition_context",
    "petition_flag_set",
    "petition_flags",
    "petition_receipt_again",
    "petition_remote_concluded",
    "petition_register",
    "petition_register_check",
    "petition_register_batch",
    "petition_register_many",
    "petition_register_many_check",
    "petition_register_past",
    "petition_register_past_many",
    "petition_step_check",
    "staff_by_names",
]
