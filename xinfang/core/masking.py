"""Masking of identity numbers and phones for lists, exports and logs.

Anyone without the ``view_identity`` capability sees ``110***********1234`` and ``138****0000``.
The logging filter masks the same patterns in every log line, whoever wrote it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "*"


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters of an identity number (GB 11643 or other)."""
    s = (value or "").strip()
    if not s:
        return ""
    if len(s) <= 7:
        return MASK * len(s)
    return s[:3] + MASK * (len(s) - 7) + s[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number; separators are dropped."""
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        return ""
    if len(digits) <= 7:
        return MASK * len(digits)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


def mask_name(value: str) -> str:
    """The first character and a star per other character (an accuser's name, 张** )."""
    s = (value or "").strip()
    if not s:
        return ""
    return s[0] + MASK * max(1, len(s) - 1)


def mask_names_in(text: str, names: Iterable[str]) -> str:
    """``text`` with every occurrence of each of ``names`` masked as ``mask_name`` masks it (a
    party named in an agreement's terms, in a refusal's reason), longest name first so that
    "张三丰" is not left as "张*丰". Names shorter than two characters are left alone: one
    character alone would mask half the text."""
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


# 18-character resident identity numbers and 11-digit mainland mobile numbers, not inside
# longer digit runs (timestamps, tracking codes).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every identity number and mobile number that appears in free text."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class MaskingFilter(logging.Filter):
    """Logging filter: identity numbers and phones never reach a log file in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
