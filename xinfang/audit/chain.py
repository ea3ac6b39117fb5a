"""The chains of the audit trail: which chain a record goes to, its genesis, a record's hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from xinfang.audit.models import GENESIS, AuditRecord

# The number of chains is fixed for an installation: a record's chain follows from its object,
# so changing it would split one petition's history over two chains (ADR 0014).
CHAINS = 16


def chain_genesis(chain: int) -> str:
    """The previous hash of a chain's first record (chain 0 keeps the original all-zero one):
    distinct per chain, so a record moved to another chain no longer links."""
    if chain == 0:
        return GENESIS
    return hashlib.sha256(f"xinfang.audit.chain:{chain}".encode()).hexdigest()


def chain_of(object_type: str, object_id: str, actor_id: int | None) -> int:
    """The chain of a record: a stable hash bucket of its object (else of its actor)."""
    key = f"{object_type}:{object_id}" if (object_type or object_id) else f"actor:{actor_id}"
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % CHAINS


def stored_hash(value: object) -> bytes | None:
    """A record's stored hash as raw bytes, or ``None`` when the cell holds no bytes at all:
    SQLite is dynamically typed, so text written into the BLOB column (by a tamperer, a row
    restored from a dump taken before ADR 0024, a downgrade) comes back as ``str``. The
    caller reports such a record as malformed instead of crashing on it."""
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return None


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_data(data: Any, seal: Any) -> Any:
    """The record's ``data`` as its HMAC covers it: with the digest it seals (the ``seal``
    column, ADR 0026) as ``data["digest"]`` in hex, where the digest was stored before, so a
    record converted from one form to the other keeps its HMAC. A record that holds a digest in
    both places, or a ``seal`` that is not bytes (text in a SQLite BLOB), hashes to something
    no record was written with: verify reports it as edited."""
    if seal is None:
        return data
    if isinstance(seal, (bytes, bytearray, memoryview)) and isinstance(data, dict):
        if "digest" not in data:
            return {**data, "digest": bytes(seal).hex()}
    return {"malformed seal": [data, str(seal)]}


def record_hash(r: AuditRecord, prev_hash: str) -> bytes:
    """The record's HMAC-SHA256 (32 raw bytes) over its fields and ``prev_hash``, the hash of
    the record before it in its chain (64 hex characters; the chain's genesis for the first).
    The body is what it was when ``prev_hash`` was a stored column (hex, in the JSON), so a
    record written before ADR 0024 verifies as it was written, never hashed again."""
    body = json.dumps(
        [
            r.seq,
            _utc(r.at),
            r.kind,
            r.actor_id,
            r.actor_name,
            r.organ_id,
            r.ip,
            r.object_type,
            r.object_id,
            hashed_data(r.data, getattr(r, "seal", None)),
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    key = settings.XINFANG_AUDIT_KEY.encode()
    return hmac.new(key, body.encode(), hashlib.sha256).digest()
