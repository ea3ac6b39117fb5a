"""The petition sealed in the audit chain: a digest of the petition with its events, deadlines
and named staff, so a direct SQL edit of any of them shows in ``xinfang audit verify``.

Every service that changes a petition (registration, ``petition_act``, the accused staff, a
deadline fold after a calendar change) ends its transaction with ``petition_seal``: the new
digest goes into the petition's own audit chain (ADR 0013). Verify recomputes each petition's
digest and compares it with the last one sealed: an edit, a replayed old state, an inserted or a
deleted row (petition, event or deadline) shows.

Cost (bench/README.md, "seal_bench.py"): a step's seal reads the six tables of its petition
with statements compiled once per process (``core.prepared``: the same rows as the ORM, without
Django compiling six queries at every step); a registration, single or in a batch, digests the
rows it has just written (``Written``, ``petition_digest_written``): they are new in its
transaction, so nobody else can have changed them, and a value whose stored form is not
certain makes it read them back instead. Verify always reads every row from the database.

Covered: the facts of the procedure and of the matter, the parties (who petitioned: a name or
phone swapped by SQL would send the answer to someone else) and the attachments (their rows:
name, type, size, SHA-256 and file; the file's bytes are checked against the SHA-256 by the
backup and attachment checks). A party's identity number and phone are digested as plain text,
so rotating the field keys (new ciphertext, same value) leaves the seal valid. Not covered:
``next_due`` (derived from the deadlines, which are covered) and ``query_secret`` (the portal
password's hash, renewed by ``petition_receipt_again``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

from django.db.models.fields.files import FieldFile

from xinfang.audit.seals import Sealer, audit_seal, row_digest
from xinfang.audit.services import Entry, petition_event_entries
from xinfang.core.crypto import EncryptedTextField
from xinfang.core.prepared import values_by_ids

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


def _rows(ids: list[int]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows each digest covers, of the petitions ``ids``, as the ORM reads them (each
    query compiled once per process and number of ids: ``core.prepared``)."""
    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.models import Attachment, Party, Petition, PetitionEvent

    accused_of = Petition.accused_staff.through.objects
    queries: dict[str, Any] = {
        "events": lambda c: (
            PetitionEvent.objects.filter(petition_id__in=c)
            .order_by("petition_id", "seq")
            .values_list("petition_id", *EVENT_FIELDS)
        ),
        "deadlines": lambda c: Deadline.objects.filter(petition_id__in=c).values_list(
            "petition_id", *DEADLINE_FIELDS
        ),
        "parties": lambda c: (
            Party.objects.filter(petition_id__in=c)
            .order_by("petition_id", "pk")
            .values_list("petition_id", "pk", *PARTY_FIELDS)
        ),
        "attachments": lambda c: (
            Attachment.objects.filter(petition_id__in=c)
            .order_by("petition_id", "pk")
            .values_list("petition_id", "pk", *ATTACHMENT_FIELDS)
        ),
        "accused": lambda c: accused_of.filter(petition_id__in=c).values_list(
            "petition_id", "user_id"
        ),
        "petition": lambda c: Petition.objects.filter(pk__in=c).values_list("pk", *PETITION_FIELDS),
    }
    return {name: values_by_ids(f"seal.{name}", q, ids) for name, q in queries.items()}


def petition_digests(ids: Iterable[int]) -> dict[int, str]:
    """The current digest of each petition (from the database, in the caller's transaction)."""
    out: dict[int, str] = {}
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        rows = _rows(ids[i : i + CHUNK])
        events: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in rows["events"]:
            events[pid].append(_row(rest))
        deadlines: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in rows["deadlines"]:
            deadlines[pid].append(_row(rest))
        parties: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in rows["parties"]:
            parties[pid].append(_row(rest))
        attachments: dict[int, list[Any]] = defaultdict(list)
        for pid, *rest in rows["attachments"]:
            attachments[pid].append(_row(rest))
        accused: dict[int, list[int]] = defaultdict(list)
        for pid, uid in rows["accused"]:
            accused[pid].append(uid)
        for pid, *rest in rows["petition"]:
            out[pid] = _digest(
                _row(rest), events[pid], deadlines[pid], accused[pid], parties[pid],
                attachments[pid],
            )  # fmt: skip
    return out


def _digest(
    petition: list[Any],
    events: list[list[Any]],
    deadlines: list[list[Any]],
    accused: list[int],
    parties: list[list[Any]],
    attachments: list[list[Any]],
) -> str:
    return row_digest(
        "petition",
        {
            "petition": petition,
            "events": events,
            # deadlines are rewritten by each fold: their order is not a fact
            "deadlines": sorted(deadlines, key=repr),
            "accused_staff": sorted(accused),
            "parties": parties,
            "attachments": attachments,
        },
    )


# -- a new petition's digest from the rows just written ----------------------------------------


class NotInHand(Exception):
    """A value in memory whose stored form is not certain: read the rows back instead."""


@dataclass(frozen=True)
class Written:
    """A petition written in this transaction with every row its digest covers, as the
    service just wrote them (model instances after their INSERT: ids and auto fields set)."""

    petition: Any
    events: Sequence[Any]
    deadlines: Sequence[Any]
    parties: Sequence[Any]
    attachments: Sequence[Any] = ()
    accused_staff_ids: Sequence[int] = ()


_INTS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


_TEXTS = frozenset({"CharField", "TextField"})


def _stored(kind: str, v: Any) -> Any:
    """``v``, the value of a field of ``kind`` in memory, as the database gives it back after
    the INSERT (an enum as its value, a file as its name); :class:`NotInHand` where that is not
    certain (a value Django would convert on its way in, such as ``"3"`` for an integer)."""
    if v is None:
        return None
    t = type(v)  # the common cases first: this runs for every value of a batch
    if (t is str and kind in _TEXTS) or (t is int and kind in _INTS):
        return v
    if (t is bool and kind == "BooleanField") or (t is date and kind == "DateField"):
        return v
    if kind in ("CharField", "TextField") and isinstance(v, str):
        return str.__str__(v)  # TextChoices, StrEnum: the text stored
    if kind in _INTS and isinstance(v, int) and not isinstance(v, bool):
        return int(v)  # IntEnum (Route)
    if kind == "BooleanField" and isinstance(v, bool):
        return bool(v)
    if kind == "DateTimeField" and isinstance(v, datetime) and v.utcoffset() is not None:
        return v
    if kind == "DateField" and isinstance(v, date) and not isinstance(v, datetime):
        return v
    if kind == "FileField" and isinstance(v, FieldFile | str):
        return v.name if isinstance(v, FieldFile) else v
    if kind == "JSONField":
        try:
            return json.loads(json.dumps(v))  # as it reads back: keys as text, tuples as lists
        except (TypeError, ValueError) as e:
            raise NotInHand(str(e)) from e
    raise NotInHand(f"{kind}: {t.__name__}")


def _kind(field: Any) -> str:
    """The column's kind (a foreign key's: its target's); "" for a field that converts values
    on reading (``from_db_value``) other than JSON and encrypted text, which read back as
    they were written."""
    while field.get_internal_type() in ("ForeignKey", "OneToOneField"):
        field = field.target_field
    kind = field.get_internal_type()
    if hasattr(field, "from_db_value") and not isinstance(field, EncryptedTextField):
        return "JSONField" if kind == "JSONField" else ""
    return kind


_layouts: dict[tuple[type, tuple[str, ...]], tuple[Any, tuple[str, ...]]] = {}


def _layout(model: type, fields: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """A getter of the fields' values (one tuple) and each field's kind, once per model and
    field list."""
    key = (model, fields)
    if key not in _layouts:
        meta = model._meta  # type: ignore[attr-defined]
        kinds = tuple(_kind(meta.pk if f == "pk" else meta.get_field(f)) for f in fields)
        _layouts[key] = (attrgetter(*fields) if len(fields) > 1 else _one(fields[0]), kinds)
    return _layouts[key]


def _one(field: str) -> Any:
    get = attrgetter(field)
    return lambda obj: (get(obj),)


_SAME = {
    (str, "CharField"),
    (str, "TextField"),
    (int, "AutoField"),
    (int, "BigAutoField"),
    (int, "IntegerField"),
    (int, "BigIntegerField"),
    (int, "PositiveIntegerField"),
    (int, "PositiveSmallIntegerField"),
    (int, "SmallIntegerField"),
    (bool, "BooleanField"),
}


def _in_hand(obj: Any, fields: tuple[str, ...], with_pk: bool = False) -> list[Any]:
    if with_pk:
        if obj.pk is None:
            raise NotInHand("no id returned by the INSERT")
        fields = ("pk", *fields)
    get, kinds = _layout(type(obj), fields)
    # _canon(_stored(kind, v)) for each value; the common pairs of type and kind first (this
    # runs for every value of a batch), which both leave as they are
    return [
        v if v is None or (type(v), kind) in _SAME else _canon(_stored(kind, v))
        for kind, v in zip(kinds, get(obj), strict=True)
    ]


def petition_digest_written(w: Written) -> str:
    """The digest of a petition written in this transaction, from the rows in hand: what
    :func:`petition_digests` would read back (the tests compare the two on both databases).
    Nobody else sees the rows before the commit, so there is nothing to re-read. Raises
    :class:`NotInHand` when a value's stored form is not certain."""
    return _digest(
        _in_hand(w.petition, PETITION_FIELDS),
        [_in_hand(e, EVENT_FIELDS) for e in sorted(w.events, key=lambda e: e.seq)],
        [_in_hand(d, DEADLINE_FIELDS) for d in w.deadlines],
        [int(u) for u in set(w.accused_staff_ids)],
        [_in_hand(p, PARTY_FIELDS, True) for p in sorted(w.parties, key=_pk_key)],
        [_in_hand(a, ATTACHMENT_FIELDS, True) for a in sorted(w.attachments, key=_pk_key)],
    )


def _pk_key(obj: Any) -> int:
    if obj.pk is None:
        raise NotInHand("no id returned by the INSERT")
    return int(obj.pk)


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
    written: Sequence[Written] = (),
) -> None:
    """Seal the petitions as they are now in this transaction (call last, after every write).
    ``events``: the steps just written, recorded in the same append, before the seals, then
    ``entries`` (other records of the same change, e.g. a batch's ``petition.imported``).
    ``written``: the petitions are new in this transaction and these are all their rows: the
    digests are computed from them instead of read back (``petition_digest_written``)."""
    ids = list(petition_ids)
    digests: dict[int, str] | None = None
    if written:
        try:
            digests = {int(w.petition.pk): petition_digest_written(w) for w in written}
        except NotInHand:
            digests = None  # read back, as for any other change
        if digests is not None and set(digests) != {int(i) for i in ids}:
            raise ValueError("written: not the petitions sealed")
    audit_seal(
        object_type="petition",
        ids=ids,
        actor=actor,
        entries=[*petition_event_entries(events=events, actor=actor), *entries],
        digests=digests,
    )


#: 1: petition, events, deadlines, named staff, flags; 2: with its parties and attachments.
SEALER = Sealer("petition", petition_digests, petition_digests_every, version=2)
