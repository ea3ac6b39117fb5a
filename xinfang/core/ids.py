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


_CODES = len(ALPHABET) ** CODE_LENGTH  # 31^16, just under 2^80
_BYTES = (_CODES.bit_length() + 7) // 8


def new_tracking_code() -> str:
    """Uniform over every code: 80 random bits, drawn again until they fall below 31^16 (about
    two draws in three do), written in base 31. One system call instead of sixteen (the bulk
    registration path makes 10^5 of them at a time)."""
    while True:
        n = int.from_bytes(secrets.token_bytes(_BYTES), "big")
        if n < _CODES:
            break
    out = []
    for _ in range(CODE_LENGTH):
        n, d = divmod(n, len(ALPHABET))
        out.append(ALPHABET[d])
    return "".join(out)


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
