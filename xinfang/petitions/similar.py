"""Similar existing petitions shown to a clerk while registering (重信重访 candidates).

Exact matches: the tracking code, or a party's phone (blind index). Matches by text, an
identical title included, come from the repeat index (``insight.matters_selectors``), which
the desk's fragment lists below these; a title equality scan here read the whole table at
10^6 petitions (bench/README.md). Only petitions the clerk may see are returned.

A phone is a party's identity: it is matched only for a user who may see identities
(``view_identity``, as the search by phone), finds an accusation or a confidential petition only
for the organ handling it now (as the petition page shows its parties: Art. 30 para 3), and
every phone lookup is an ``identity.search`` audit record (who, which petitions; not the number).
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.core.crypto import phone_digest
from xinfang.core.ids import normalize_tracking_code
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions import selectors
from xinfang.petitions.models import Party, Petition


@dataclass(frozen=True)
class Match:
    petition: Petition
    why: str


def petition_similar_for_user(
    *, user: User, phone: str = "", code: str = "", limit: int = 10
) -> list[Match]:
    visible = Petition.objects.filter(selectors._visible(user))
    out: dict[int, Match] = {}
    code = normalize_tracking_code(code)
    if len(code) == 16:
        for p in visible.filter(tracking_code=code)[:1]:
            out[p.pk] = Match(p, "查询码相同")
    phone = "".join(ch for ch in phone if ch.isdigit())
    if len(phone) >= 7 and user_can(user, Cap.VIEW_IDENTITY):
        ids = Party.objects.filter(phone_digest=phone_digest(phone)).values("petition_id")
        found = list(
            visible.filter(pk__in=ids)
            .filter(selectors.identity_shown_q(user))
            .order_by("-id")[:limit]
        )
        for p in found:
            out.setdefault(p.pk, Match(p, "联系电话相同"))
        from xinfang.audit.services import audit_record

        audit_record(
            kind="identity.search",
            actor=user,
            object_type="petition",
            data={"by": "phone", "at": "intake", "petition_ids": [p.pk for p in found]},
        )
    return list(out.values())[:limit]
