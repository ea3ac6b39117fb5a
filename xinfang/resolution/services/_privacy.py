"""What a text made public must not carry: the identity of the person behind a petition.

A people's suggestion is listed on the public portal by the organ's own subject and reply summary
(Art. 29); the suggester's name, phone, identity number or address are never printed there unless
the suggester consented to be credited (and then only the name they gave). The text staff write
is checked against the petition's parties, so a name copied from the letter is caught before it
is published."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext

from xinfang.petitions.models import Party

_DIGITS = re.compile(r"\d{6,}")
_SEPARATORS = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Only the CJK characters, letters and digits of ``text`` (full-width folded to half-width),
    so that ``138-0000-0000``, ``(0571)8888-1234`` or ``张 三`` compare as the bare value."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def identifying_in(*, petition_id: int, texts: dict[str, str]) -> dict[str, list[str]]:
    """The fields of ``texts`` that name a party of the petition (name, phone, identity number,
    address) or carry a long run of digits (a phone or identity number of anyone)."""
    needles: list[str] = []
    for p in Party.objects.filter(petition_id=petition_id):
        for value in (p.name, p.phone, p.id_number, p.address):
            value = _plain(value or "")
            if len(value) >= 2:
                needles.append(value)
    errors: dict[str, list[str]] = {}
    for field, text in texts.items():
        plain = _plain(text)
        if any(n in plain for n in needles) or _DIGITS.search(plain):
            errors[field] = [
                gettext("公开的内容不能含有建议人的姓名、电话、证件号码、住址等身份信息")
            ]
    return errors
