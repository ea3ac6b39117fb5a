"""Tracking codes (查询码) and query passwords for petitioners.

The code is public-facing and unguessable: 16 characters from an alphabet without look-alikes
(no 0/O, 1/I/L), about 79 bits of randomness, shown in groups of four. The query password is a
separate 8-digit secret (the petitioner can type it on a phone keypad). It is stored only as a
keyed HMAC-SHA256 (key: SECRET_KEY) because it is random, not chosen by a person: a slow
password hash would add nothing against guessing and would cap registrations at a few per second
(see docs/decisions/0003-tracking-codes.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_tracking_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_tracking_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_query_password() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def hash_query_password(code: str, password: str, key: str) -> str:
    msg = f"{code}:{password}".encode()
    return hmac.new(key.encode(), msg, hashlib.sha256).hexdigest()


def check_query_password(code: str, password: str, key: str, stored: str) -> bool:
    return hmac.compare_digest(hash_query_password(code, password, key), stored)
