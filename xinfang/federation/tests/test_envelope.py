"""The signed envelope (pure, no database): what is refused and why (docs/federation.md)."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta

import pytest

from xinfang.federation import envelope as e

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
A = e.private_key_from_secret("secret of A")
B = e.private_key_from_secret("secret of B")
A_PUB, B_PUB = e.public_key_text(A), e.public_key_text(B)


def _signed(**body) -> dict:
    env = e.Envelope(
        sender=e.key_id(A_PUB),
        recipient=e.key_id(B_PUB),
        message_id="0" * 31 + "1",
        kind="transfer",
        ts=NOW,
        nonce="ab" * 16,
        body=body or {"title": "路灯不亮", "n": 3},
    )
    return e.envelope_sign(env, A)


def test_a_signed_envelope_verifies_with_the_senders_public_key_only():
    env, sig = e.envelope_parse(_signed())
    assert e.signature_ok(env, sig, A_PUB)
    assert not e.signature_ok(env, sig, B_PUB)


@pytest.mark.parametrize(
    "path,value",
    [
        (("body", "title"), "路灯已修好"),  # the content altered
        (("body", "n"), 4),
        (("to",), "f" * 16),  # readdressed to another installation
        (("id",), "0" * 31 + "2"),  # the message id changed
        (("ts",), "2026-12-07T08:00:01Z"),  # the time moved (a replay made fresh)
        (("nonce",), "cd" * 16),
        (("kind",), "update"),
    ],
)
def test_any_altered_field_fails_the_signature(path, value):
    """Planted fault: with a signature that covered only the body, the readdressed, re-timed
    or re-numbered cases passed (checked by signing ``body`` alone)."""
    wire = copy.deepcopy(_signed())
    target = wire["envelope"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    env, sig = e.envelope_parse(wire)
    assert not e.signature_ok(env, sig, A_PUB)


def test_a_flipped_signature_bit_fails():
    wire = _signed()
    raw = bytearray(base64.b64decode(wire["sig"]))
    raw[0] ^= 1
    wire["sig"] = base64.b64encode(bytes(raw)).decode()
    env, sig = e.envelope_parse(wire)
    assert not e.signature_ok(env, sig, A_PUB)


@pytest.mark.parametrize(
    "wire",
    [
        None,
        [],
        {"envelope": {}},
        {"envelope": {}, "sig": "x", "extra": 1},
        {"envelope": "x", "sig": "x"},
    ],
)
def test_a_malformed_wire_document_is_refused_as_such(wire):
    with pytest.raises(e.EnvelopeError) as err:
        e.envelope_parse(wire)
    assert err.value.code == "malformed"


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("v", 2, "version"),
        ("from", "A" * 16, "malformed"),
        ("id", "../../etc", "malformed"),
        ("nonce", "", "malformed"),
        ("kind", "delete_everything", "malformed"),
        ("ts", "yesterday", "malformed"),
        ("ts", "2026-13-40T99:00:00Z", "malformed"),
        ("body", [1], "malformed"),
    ],
)
def test_a_bad_envelope_field_is_refused(field, value, code):
    wire = _signed()
    wire["envelope"][field] = value
    with pytest.raises(e.EnvelopeError) as err:
        e.envelope_parse(wire)
    assert err.value.code == code


def test_a_signature_of_the_wrong_length_is_refused():
    wire = _signed()
    wire["sig"] = base64.b64encode(b"x" * 10).decode()
    with pytest.raises(e.EnvelopeError):
        e.envelope_parse(wire)


def test_the_time_window_refuses_old_and_future_messages():
    env, _ = e.envelope_parse(_signed())
    assert e.freshness_problem(env, now=NOW) == ""
    assert e.freshness_problem(env, now=NOW + e.WINDOW) == ""
    assert e.freshness_problem(env, now=NOW + e.WINDOW + timedelta(seconds=1)) == "stale"
    assert e.freshness_problem(env, now=NOW - e.WINDOW - timedelta(seconds=1)) == "future"


def test_public_keys_are_checked_and_named_by_a_stable_id():
    assert len(A_PUB) == 44 and e.key_id(A_PUB) != e.key_id(B_PUB)
    assert e.key_id(A_PUB) == e.key_id(e.public_key_text(e.private_key_from_secret("secret of A")))
    for bad in ("", "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            e.public_key_parse(bad)


def test_canonical_bytes_do_not_depend_on_key_order():
    assert e.canonical({"b": 1, "a": "信访"}) == e.canonical({"a": "信访", "b": 1})
