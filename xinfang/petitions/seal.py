"""The petition sealed in the audit chain: a digest of the petition with its events, deadlines
and named staff, so a direct SQL edit of any of them shows in ``xinfang audit verify``.

Every service that changes a petition (registration, ``petition_act``, the accused staff, a
deadline fold after a calendar change) ends its transaction with ``petition_seal``: the new
digest goes into the petition's own audit chain (ADR 0013). Verify recomputes each petition's
digest and compares it with the last one sealed: an edit, a replayed old state, an inserted or a
deleted row (petition, event or deadline) shows.

Covered: the facts of the procedure and of the matter, the parties (who petitioned: a name or
phone swapped by SQL would send the answer to someone else) and the attachments (their rows:
name, type, size, SHA-256 and file; the file's bytes are checked against the SHA-256 by the
backup and attachment checks). A party's identity number and phone are digested as plain text,
so rotating the field keys (new ciphertext, same value) leaves the seal valid. Not covered:
``next_due`` (derived from the deadlines, which are covered) and ``query_secret`` (the portal
password's hash, renewed by ``petition_receipt_again``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from xinfang.audit.seals import Sealer, audit_seal, row_digest
from xinfang.audit.services import Entry, petition_event_entries

PETITION_FIELDS = (
    "tracking_code",
    "channel",
    "received_at",
    "registered_at",
    "title",
    "content",
    "category",
    "route",
    "region_id",
    "accused_organ_id",
    "accused_persons",
    "is_collective",
    "head_count",
    "is_anonymous",
    "confidential",
    "state",
    "registering_organ_id",
    "current_organ_id",
    "handling_organ_id",
    "review_organ_id",
    "re_review_organ_id",
    "dispatched_by",
    "extended",
    "in_hearing",
    "execution_monitoring",
    "delivery_pending",
    "report_done",
    "objection_rejected",
    # The cross-cutting facts of regulation.md §6.1 (petitions.flags): a supervised or major
    # case quietly unflagged by SQL must show too.
    "major_urgent",
    "major_urgent_reported",
    "supervised",
    "leader_case",
    "leader_in_charge",
    "backlog",
    "joint_handling",
    "repeat_of_id",
    "is_open",
    "last_event_at",
    "created_at",
)
EVENT_FIELDS = (
    "seq",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_organ_id",
    "organ_id",
    "occurred_at",
    "recorded_at",
    "reason",
    "data",
)
DEADLINE_FIELDS = (
    "code",
    "owner_organ_id",
    "start_date",
    "due_date",
    "outcome",
    "closed_on",
    "extension_days",
    "paused_days",
    "paused",
    "provisional",
)
PARTY_FIELDS = (
    "role",
    "name",
    "id_number",  # decrypted on reading: the value, not this key's ciphertext
    "phone",
    "address",
    "is_organisation",
    "anonymised_at",
)
ATTACHMENT_FIELDS = ("file", "original_name", "content_type", "size", "sha256", "uploaded_at")
CHUNK = 500


def _canon(v: Any) -> Any:
    """One representation on SQLite and PostgreSQL, before and after a backup and restore."""
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _row(values: Iterable[Any]) -> list[Any]:
    return [_canon(v) for v in values]


def petition_digests(ids: Iterable[int]) -> dict[int, str]:
    """The current digest of each petition (from the database, in the caller's transaction)."""
    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.models import Attachment, Party, Petition, PetitionEvent

    out: dict[int, str] = {}
    ids = sorted(set(ids))
    accused_of = Petition.accused_staff.through.objects
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        events: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in (
            PetitionEvent.objects.filter(petition_id__in=chunk)
            .order_by("petition_id", "seq")
            .values_list("petition_id", *EVENT_FIELDS)
        ):
            events[pid].append(_row(rest))
        deadlines: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in Deadline.objects.filter(petition_id__in=chunk).values_list(
            "petition_id", *DEADLINE_FIELDS
        ):
            deadlines[pid].append(_row(rest))
        parties: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in (
            Party.objects.filter(petition_id__in=chunk)
            .order_by("petition_id", "pk")
            .values_list("petition_id", "pk", *PARTY_FIELDS)
        ):
            parties[pid].append(_row(rest))
        attachments: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in (
            Attachment.objects.filter(petition_id__in=chunk)
            .order_by("petition_id", "pk")
            .values_list("petition_id", "pk", *ATTACHMENT_FIELDS)
        ):
            attachments[pid].append(_row(rest))
        accused: dict[int, list[int]] = defaultdict(list)
        for pid, uid in accused_of.filter(petition_id__in=chunk).values_list(
            "petition_id", "user_id"
        ):
            accused[pid].append(uid)
        for pid, *rest in Petition.objects.filter(pk__in=chunk).values_list("pk", *PETITION_FIELDS):
            out[pid] = row_digest(
                "petition",
                {
                    "petition": _row(rest),
                    "events": events[pid],
                    # deadlines are rewritten by each fold: their order is not a fact
                    "deadlines": sorted(deadlines[pid], key=repr),
                    "accused_staff": sorted(accused[pid]),
                    "parties": parties[pid],
                    "attachments": attachments[pid],
                },
            )
    return out


def petition_digests_every() -> Iterator[tuple[int, str]]:
    """Every petition's digest, a chunk at a time (for verify)."""
    from xinfang.petitions.models import Petition

    last = 0
    while True:
        chunk = list(
            Petition.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not chunk:
            return
        yield from petition_digests(chunk).items()
        last = chunk[-1]


def petition_seal(
    *,
    petition_ids: Iterable[int],
    actor: Any = None,
    events: Iterable[Any] = (),
    entries: Sequence[Entry] = (),
) -> None:
    """Seal the petitions as they are now in this transaction (call last, after every write).
    ``events``: the steps just written, recorded in the same append, before the seals, then
    ``entries`` (other records of the same change, e.g. a batch's ``petition.imported``)."""
    audit_seal(
        object_type="petition",
        ids=list(petition_ids),
        actor=actor,
        entries=[*petition_event_entries(events=events, actor=actor), *entries],
    )


#: 1: petition, events, deadlines, named staff, flags; 2: with its parties and attachments.
SEALER = Sealer("petition", petition_digests, petition_digests_every, version=2)
