"""What no text input may contain, judged in one place (PURE: no Django).

NUL and the other C0 control characters (tab, line feed and carriage return apart), DEL, lone
surrogates and the replacement character U+FFFD (what an undecodable byte became) are refused
wherever they arrive: PostgreSQL refuses NUL in text (a 500), and the other controls pass into
XLSX and DOCX files that then cannot be written (issue 11). Integers outside the 64-bit range
of every id and count column are refused as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd]")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER
#: How deeply a JSON document may nest. No request of the API, Open311 or federation nests
#: more than a few levels; a deeper one is refused before it can exhaust the stack (a 500).
MAX_JSON_DEPTH = 32


def is_digits(value: str) -> bool:
    """Whether ``value`` is one or more ASCII digits 0-9: what ``int()`` reads as a number.
    ``str.isdigit()`` is true for "²" or "٣" too, which ``int()`` then refuses (a 500 on
    every page that checked with it; revB 3). The one check for every id, count and code
    typed into a URL or a form."""
    return value.isascii() and value.isdigit()


def text_problem(value: str) -> str | None:
    """A short English description of the first character no input may contain, or None."""
    m = _BAD.search(value)
    if m is None:
        return None
    c = m.group()
    if c == "\x00":
        return "NUL"
    if c == "\ufffd":
        return "U+FFFD (invalid encoding)"
    if "\ud800" <= c <= "\udfff":
        return "a lone surrogate"
    return f"control character U+{ord(c):04X}"


def json_problems(value: Any, where: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, problem) for every string (keys too) and integer in a decoded JSON document,
    and for a document nested deeper than ``MAX_JSON_DEPTH``."""
    if depth > MAX_JSON_DEPTH:
        yield where or "body", f"nested deeper than {MAX_JSON_DEPTH} levels"
        return
    if isinstance(value, str):
        if (p := text_problem(value)) is not None:
            yield where or "body", p
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            yield where or "body", "integer out of range"
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            yield where or "body", "not a finite number"
    elif isinstance(value, dict):
        for k, v in value.items():
            path = f"{where}.{k}" if where else str(k)
            if (p := text_problem(str(k))) is not None:
                yield path, p
            yield from json_problems(v, path, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_problems(v, f"{where}[{i}]", depth + 1)
