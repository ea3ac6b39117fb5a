"""Signed messages between two xinfang installations (PURE: no Django).

A message is an *envelope* (who sends it to whom, its id, kind, time, a nonce and the body)
signed with the sender's Ed25519 key over its canonical JSON bytes (keys sorted, no spaces,
UTF-8). On the wire::

    {"envelope": {"v": 1, "from": KEY_ID, "to": KEY_ID, "id": MESSAGE_ID, "kind": KIND,
                  "ts": "2026-12-07T08:00:00Z", "nonce": HEX, "body": {...}},
     "sig": BASE64(Ed25519(canonical(envelope)))}

``from``/``to`` are key ids (:func:`key_id`): the receiver finds the sender's public key by it
and refuses an envelope addressed to another installation (a message captured on its way to
C cannot be replayed to B). The receiver checks, in this order (docs/federation.md):

1. the shape (:func:`envelope_parse`), 2. the sender is a known peer, 3. the signature
(:func:`signature_ok`) - any altered byte fails it, 4. the time is within the window
(:func:`freshness_problem`), 5. the nonce was not seen within the window (a replay), and
6. the message id: a message applied before is acknowledged again and not applied twice
(at-least-once delivery with idempotent receipt). Steps 5 and 6 need the database and live in
``services``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = 1
#: The kinds of message (docs/federation.md): a petition handed over, a step reported back,
#: a review or re-review request the petitioner made at the sender (Arts. 35, 36), a hand-over
#: taken back after a send whose answer was lost (ADR 0023, revB #4).
KINDS = frozenset({"transfer", "update", "remedy", "withdraw"})
#: How far a message's time may be from the receiver's clock, either way.
WINDOW = timedelta(minutes=5)
_ID = re.compile(r"^[0-9a-f]{32}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_NONCE = re.compile(r"^[0-9a-f]{32}$")


class EnvelopeError(ValueError):
    """A message that is not a well-formed envelope. ``code`` is stable (it is sent back)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Envelope:
    sender: str  # key id of the sender
    recipient: str  # key id of the receiver
    message_id: str
    kind: str
    ts: datetime
    nonce: str
    body: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "from": self.sender,
            "to": self.recipient,
            "id": self.message_id,
            "kind": self.kind,
            "ts": self.ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nonce": self.nonce,
            "body": self.body,
        }


def canonical(data: Any) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no insignificant spaces, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def private_key_from_secret(secret: str) -> Ed25519PrivateKey:
    """The installation's signing key, derived from a secret kept in its data folder."""
    seed = hashlib.sha256(b"xinfang-federation-ed25519\x00" + secret.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as administrators exchange it: 32 raw bytes in base64 (44 characters)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_parse(text: str) -> Ed25519PublicKey:
    """A public key given as base64 text; ValueError if it is not 32 bytes of base64."""
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError("not base64") from e
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(public_key: str) -> str:
    """A short, stable name of a public key: the first 16 hex digits of its SHA-256. Read out
    by the administrators to each other (telephone) to confirm the exchanged key."""
    raw = base64.b64decode(public_key.strip())
    return hashlib.sha256(raw).hexdigest()[:16]


def envelope_sign(envelope: Envelope, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The wire form of ``envelope`` signed with ``key``."""
    data = envelope.as_dict()
    sig = key.sign(canonical(data))
    return {"envelope": data, "sig": base64.b64encode(sig).decode()}


def envelope_parse(wire: Any) -> tuple[Envelope, bytes]:
    """The envelope and its signature from a decoded JSON document; EnvelopeError if any part
    is missing or malformed (nothing is trusted before the signature is checked)."""
    if not isinstance(wire, dict) or set(wire) != {"envelope", "sig"}:
        raise EnvelopeError("malformed", "expected {envelope, sig}")
    env, sig = wire["envelope"], wire["sig"]
    if not isinstance(env, dict) or not isinstance(sig, str):
        raise EnvelopeError("malformed", "envelope must be an object, sig a string")
    if set(env) != {"v", "from", "to", "id", "kind", "ts", "nonce", "body"}:
        raise EnvelopeError("malformed", "unexpected or missing envelope fields")
    if env["v"] != VERSION:
        raise EnvelopeError("version", f"unsupported version {env['v']!r}")
    for name, pattern in (("from", _KEY_ID), ("to", _KEY_ID), ("id", _ID), ("nonce", _NONCE)):
        if not isinstance(env[name], str) or not pattern.match(env[name]):
            raise EnvelopeError("malformed", f"bad {name}")
    if env["kind"] not in KINDS:
        raise EnvelopeError("malformed", "unknown kind")
    if not isinstance(env["body"], dict):
        raise EnvelopeError("malformed", "body must be an object")
    ts = env["ts"]
    if not isinstance(ts, str) or not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ts):
        raise EnvelopeError("malformed", "ts must be YYYY-MM-DDTHH:MM:SSZ")
    try:
        when = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        raw_sig = base64.b64decode(sig, validate=True)
    except (ValueError, binascii.Error) as e:
        raise EnvelopeError("malformed", "bad ts or sig") from e
    if len(raw_sig) != 64:
        raise EnvelopeError("malformed", "an Ed25519 signature is 64 bytes")
    envelope = Envelope(
        sender=env["from"],
        recipient=env["to"],
        message_id=env["id"],
        kind=env["kind"],
        ts=when,
        nonce=env["nonce"],
        body=env["body"],
    )
    return envelope, raw_sig


def signature_ok(envelope: Envelope, sig: bytes, public_key: str) -> bool:
    """Whether ``sig`` is the sender's signature of exactly this envelope."""
    try:
        public_key_parse(public_key).verify(sig, canonical(envelope.as_dict()))
    except (InvalidSignature, ValueError):
        return False
    return True


def freshness_problem(envelope: Envelope, *, now: datetime, window: timedelta = WINDOW) -> str:
    """Why the message's time is unacceptable ("" when it is within ``window`` of ``now``): an
    old message replayed after its nonce was forgotten is refused here."""
    if envelope.ts < now - window:
        return "stale"
    if envelope.ts > now + window:
        return "future"
    return ""
