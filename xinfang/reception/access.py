"""Who sees which reception records: the user's organ and the organs below it (a petition
office: every organ of its region, as for petitions), and only with ``Cap.RECEPTION_VIEW``;
publishing sessions, booking at the desk and writing records need ``Cap.RECEPTION_MANAGE``
(directory/permissions.py, the one table). A record outside the scope answers 404, the same as
one that does not exist.

Petitions themselves are read only through the petitions gate (``petition_queryset_for_user``):
an appointment or a record of a petition the user may not see (an accusation against the
user's organ or one above it, Art. 30 para 3) is never listed, counted or linked."""

from __future__ import annotations

from django.db.models import Q

from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.directory.selectors import organ_ancestor_ids
from xinfang.petitions.selectors.access import organ_within, organs_within_q


def organ_scope(user: User, field: str | None = "organ") -> Q:
    """The records whose ``field`` (an Organ foreign key; None: the Organ itself) lies in the
    user's scope."""
    if not user_can(user, Cap.RECEPTION_VIEW):
        return Q(pk__in=[])
    organ: Organ | None = user.organ
    if organ is None:
        return Q(pk__in=[])
    return organs_within_q(organ, field)


def organs_in_scope(user: User):  # type: ignore[no-untyped-def]
    return Organ.objects.filter(organ_scope(user, None), is_active=True).order_by("path")


def organ_in_scope(user: User, organ: Organ) -> bool:
    own = user.organ
    if own is None or not user_can(user, Cap.RECEPTION_VIEW):
        return False
    return organ_within(own, organ)


def organ_accused_by(organ: Organ, accused_organ_id: int | None) -> bool:
    """Whether ``organ`` is the accused organ or lies below it: it may never receive the
    petitioner about that accusation (Art. 30 para 3)."""
    return accused_organ_id is not None and accused_organ_id in organ_ancestor_ids(organ)


def require(user: User, cap: Cap) -> None:
    if not user_can(user, cap):
        raise Forbidden()
