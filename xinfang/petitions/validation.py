"""Small field checks used by registration: identity numbers, phones, file types by content."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext

from xinfang.core.crypto import normalize_id_number
from xinfang.directory.models import Region

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"\+?[0-9][0-9\- ]{4,19}")


def id_number_clean(value: str) -> str:
    """The number as stored: NFKC (full-width digits fold to ASCII), no spaces, upper case."""
    return normalize_id_number(value)


def phone_clean(value: str) -> str:
    """The phone as stored: NFKC (full-width digits and ＋ fold to ASCII), trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def id_number_problem(value: str) -> str | None:
    """A 18-character resident identity number (GB 11643): ASCII digits after NFKC, the check
    character. ``\\d`` would take any script's digits, which then hash differently (issue 13)."""
    s = id_number_clean(value)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", s):
        return gettext("居民身份证号码应为 18 位（最后一位可为 X）")
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != s[17]:
        return gettext("居民身份证号码校验位不正确，请核对")
    return None


def phone_ok(value: str) -> bool:
    return bool(_PHONE.fullmatch(phone_clean(value)))


_regions: dict[str, Region] = {}  # regions are reference data: found ones are kept per process


def region(code: str) -> Region | None:
    if not code or not re.fullmatch(r"\d{6}(\d{3})?", code):
        return None
    if (r := _regions.get(code)) is not None:
        return r
    r = Region.objects.filter(code=code).first()
    if r is not None:
        _regions[code] = r
    return r


def regions_warm(codes: set[str]) -> None:
    """Look up many region codes in one query (the bulk registration path)."""
    missing = [c for c in codes if c and c not in _regions]
    if missing:
        _regions.update(Region.objects.in_bulk(missing))


def regions_forget() -> None:
    _regions.clear()


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
)


#: The file names each accepted kind may carry (issue 12: a text file named "bad.exe" was
#: stored and offered as bad.exe). A file is kept only when its content and its name agree.
EXTENSIONS: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    "image/jpeg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "image/png": frozenset({"png"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    "application/msword": frozenset({"doc", "docx"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset(
        {"docx", "doc"}
    ),
    "text/plain": frozenset({"txt", "text", "csv"}),
}


def name_fits(name: str, kind: str) -> bool:
    """Whether the file's name ends with an extension of the kind its content shows."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext in EXTENSIONS.get(kind, frozenset())


def sniff_type(content: bytes) -> str | None:
    """The file's type judged by its first bytes, never by its name; None when not accepted."""
    for magic, kind in _SIGNATURES:
        if content.startswith(magic):
            return kind
    if content.startswith(b"PK\x03\x04") and b"word/" in content[:4096]:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if content and b"\x00" not in content[:4096]:
        try:
            content[:65536].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None
