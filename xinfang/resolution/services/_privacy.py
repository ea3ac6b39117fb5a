"""What a text made public must not carry: the identity of the person behind a petition.

A people's suggestion is listed on the public portal by the organ's own subject and reply summary
(Art. 29); the suggester's name, phone, identity number or address are never printed there unless
the suggester consented to be credited (and then only the name they gave). The text staff write
is checked against the petition's parties, so a name copied from the letter is caught before it
is published."""

from __future__ import annotations

import re

from django.utils.translation import gettext

from xinfang.petitions.models import Party

_DIGITS = re.compile(r"\d{6,}")


def identifying_in(*, petition_id: int, texts: dict[str, str]) -> dict[str, list[str]]:
    """The fields of ``texts`` that name a party of the petition (name, phone, identity number,
    address) or carry a long run of digits (a phone or identity number of anyone)."""
    needles: list[str] = []
    for p in Party.objects.filter(petition_id=petition_id):
        for value in (p.name, p.phone, p.id_number, p.address):
            value = (value or "").strip()
            if len(value) >= 2:
                needles.append(value)
    errors: dict[str, list[str]] = {}
    for field, text in texts.items():
        plain = re.sub(r"\s+", "", text or "")
        if any(re.sub(r"\s+", "", n) in plain for n in needles) or _DIGITS.search(plain):
            errors[field] = [
                gettext("公开的内容不能含有建议人的姓名、电话、证件号码、住址等身份信息")
            ]
    return errors
