"""The parties of a petition as a user may see them (personal data: see ``petitions.privacy``).

* Staff with ``view_identity`` see identities of the petitions in their jurisdiction; every
  such display is an ``identity.view`` audit record. Others see them masked.
* An accusation's (检举控告) or a confidential petition's parties are shown only to the staff
  of the organ handling it now; everyone else sees even the name masked (Art. 30 para 3;
  [BJ 22(4)], [ZJ 26(4)]).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xinfang.core.masking import mask_id_number, mask_name, mask_phone
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import Category


def identity_restricted(petition: Petition) -> bool:
    """Whether only the organ handling the petition now may see who its parties are."""
    return (
        petition.category == Category.ACCUSATION
        or petition.accused_organ_id is not None
        or petition.confidential
    )


def identity_restricted_q() -> Q:
    """``identity_restricted`` as a query: accusations and confidential petitions, whose
    existence alone may tell the accused."""
    return Q(category=Category.ACCUSATION) | Q(accused_organ__isnull=False) | Q(confidential=True)


def identity_shown_q(user: User) -> Q:
    """The petitions whose parties ``user``'s organ may be shown (``user_may_see_identity``
    short of the capability): every one not restricted, a restricted one only while the user's
    organ handles it."""
    return ~identity_restricted_q() | Q(current_organ_id=user.organ_id)


def user_may_see_identity(*, user: User, petition: Petition) -> bool:
    """Whether ``user`` (who can already see ``petition``) sees its parties unmasked."""
    if not user_can(user, Cap.VIEW_IDENTITY):
        return False
    if identity_restricted(petition) and user.organ_id != petition.current_organ_id:
        return False
    return True


def _mask_address(value: str) -> str:
    return value[:6] + "****" if len(value) > 6 else ("****" if value else "")


def parties_for_user(*, user: User, petition: Petition) -> list[dict[str, Any]]:
    """The parties as ``user`` may see them; an unmasked display is recorded in the audit."""
    parties = list(petition.parties.order_by("id"))
    clear = user_may_see_identity(user=user, petition=petition)
    hide_name = not clear and identity_restricted(petition)
    out = []
    for x in parties:
        out.append(
            {
                "role": x.role,
                "name": mask_name(x.name) if hide_name and not x.is_organisation else x.name,
                "id_number": x.id_number if clear else mask_id_number(x.id_number),
                "phone": x.phone if clear else mask_phone(x.phone),
                "address": x.address if clear else _mask_address(x.address),
                "masked": not clear,
            }
        )
    shown = [x for x in parties if x.id_number or x.phone or identity_restricted(petition)]
    if clear and shown and not petition.is_anonymous:
        from xinfang.audit.services import audit_record

        audit_record(
            kind="identity.view",
            actor=user,
            object_type="petition",
            object_id=petition.pk,
            data={"parties": [x.pk for x in shown]},
        )
    return out
