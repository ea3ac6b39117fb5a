"""Who sees which prevention records: the user's organ and the organs below it (a petition
office: every organ of its region, as for petitions), and only with ``Cap.PREVENTION_VIEW``.
Recording needs ``Cap.PREVENTION_RECORD``, concluding and deciding ``Cap.PREVENTION_DECIDE``
(directory/permissions.py, the one table). A record outside the scope answers 404, the same as
one that does not exist."""

from __future__ import annotations

from django.db.models import Q

from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors.access import organ_within, organs_within_q


def organ_scope(user: User, field: str | None = "organ") -> Q:
    """The records whose ``field`` (an Organ foreign key; None: the Organ itself) lies in the
    user's scope."""
    if not user_can(user, Cap.PREVENTION_VIEW):
        return Q(pk__in=[])
    organ: Organ | None = user.organ
    if organ is None:
        return Q(pk__in=[])
    return organs_within_q(organ, field)


def organs_in_scope(user: User):  # type: ignore[no-untyped-def]
    """The organs the user may record for and filter by (the ledger's organ choice)."""
    return Organ.objects.filter(organ_scope(user, None), is_active=True).order_by("path")


def organ_in_scope(user: User, organ: Organ) -> bool:
    own = user.organ
    if own is None or not user_can(user, Cap.PREVENTION_VIEW):
        return False
    return organ_within(own, organ)


def require(user: User, cap: Cap) -> None:
    if not user_can(user, cap):
        raise Forbidden()
