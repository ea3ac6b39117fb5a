"""Who sees which prevention records: the user's organ and the organs below it (a petition
office: every organ of its region, as for petitions), and only with ``Cap.PREVENTION_VIEW``.
Recording needs ``Cap.PREVENTION_RECORD``, concluding and deciding ``Cap.PREVENTION_DECIDE``
(directory/permissions.py, the one table). A record outside the scope answers 404, the same as
one that does not exist."""

from __future__ import annotations

from django.db.models import Q

from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors.access import region_prefix


def organ_scope(user: User, field: str | None = "organ") -> Q:
    """The records whose ``field`` (an Organ foreign key; None: the Organ itself) lies in the
    user's scope."""
    if not user_can(user, Cap.PREVENTION_VIEW):
        return Q(pk__in=[])
    organ: Organ | None = user.organ
    if organ is None:
        return Q(pk__in=[])
    pre = f"{field}__" if field else ""
    q = Q(**{f"{pre}path__startswith": organ.path or f"/{organ.pk}/"})
    if organ.kind == OrganKind.PETITION_OFFICE:
        q |= Q(**{f"{pre}region__code__startswith": region_prefix(organ)})
    return q


def organs_in_scope(user: User):  # type: ignore[no-untyped-def]
    """The organs the user may record for and filter by (the ledger's organ choice)."""
    return Organ.objects.filter(organ_scope(user, None), is_active=True).order_by("path")


def organ_in_scope(user: User, organ: Organ) -> bool:
    own = user.organ
    if own is None or not user_can(user, Cap.PREVENTION_VIEW):
        return False
    if (organ.path or "").startswith(own.path or f"/{own.pk}/"):
        return True
    if own.kind == OrganKind.PETITION_OFFICE:
        return organ.region_id.startswith(region_prefix(own))
    return False


def require(user: User, cap: Cap) -> None:
    if not user_can(user, cap):
        raise Forbidden()
