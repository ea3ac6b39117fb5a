"""Who sees which supervision records (Art. 40) and escalations.

A notice is seen, with ``Cap.RESOLUTION_VIEW``, by the issuing office and the organs above it,
by a petition office whose region covers the issuing office (the next-higher office follows
the ladder), and by the supervised organ and the organs above it; **never** by a user whom a
petition of the notice accuses or whose organ (or an organ above it) it accuses (Art. 30
para 3, Art. 46(5)): the whole notice is hidden, since its facts speak of the petitions. A
record outside the scope answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.directory.selectors import organ_ancestor_ids, region_chain
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import (
    accusation_exclusions,
    petition_queryset_for_user,
    region_prefix,
)

if TYPE_CHECKING:
    from xinfang.resolution.models import ReliefFund


def _below(organ: Organ, field: str) -> Q:
    return Q(**{f"{field}__path__startswith": organ.path or f"/{organ.pk}/"})


def hidden_petitions(user: User):  # type: ignore[no-untyped-def]
    """The petitions that accuse the user's organ (or one above it) or name the user."""
    return Petition.objects.exclude(accusation_exclusions(user=user)).values("pk")


def notice_scope(user: User, prefix: str = "") -> Q:
    """The supervision notices ``user`` may see (``prefix``: the path to the notice)."""
    from xinfang.resolution.models import SupervisionPetition

    if not user_can(user, Cap.RESOLUTION_VIEW):
        return Q(pk__in=[])
    organ: Organ | None = user.organ
    if organ is None:
        return Q(pk__in=[])
    p = f"{prefix}__" if prefix else ""
    q = _below(organ, f"{p}organ") | _below(organ, f"{p}office")
    if organ.kind == OrganKind.PETITION_OFFICE:
        q |= Q(**{f"{p}office__region__code__startswith": region_prefix(organ)})
    accusing = SupervisionPetition.objects.filter(petition__in=hidden_petitions(user))
    return q & ~Q(**{f"{p}pk__in": accusing.values("notice_id")})


def escalation_scope(user: User) -> Q:
    """The escalations ``user`` may see: those of notices in scope, and those of a petition's
    deadline when the user may see the petition (the gate of petitions), by the petition the
    step keeps (its deadline row may be gone: ``Escalation``)."""
    if not user_can(user, Cap.RESOLUTION_VIEW) or user.organ is None:
        return Q(pk__in=[])
    visible = petition_queryset_for_user(user=user).values("pk")
    return (Q(notice__isnull=False) & notice_scope(user, "notice")) | Q(
        notice__isnull=True, petition__in=visible
    )


def require(user: User, cap: Cap) -> None:
    if not user_can(user, cap):
        raise Forbidden()


def petition_record_scope(user: User) -> Q:
    """The records about a petition (a backlog case, a hearing) ``user`` may see: those of
    organs in the user's jurisdiction (the petitions gate's organ rule), **never** one of a
    petition that accuses the user's organ (or one above it) or names the user (Art. 30 para 3,
    Art. 46(5)); outside the scope is a 404."""
    from xinfang.petitions.selectors.access import organs_within_q

    if not user_can(user, Cap.RESOLUTION_VIEW) or user.organ is None:
        return Q(pk__in=[])
    return organs_within_q(user.organ) & ~Q(petition__in=hidden_petitions(user))


#: Backlog cases and hearings follow the one rule above.
backlog_scope = hearing_scope = petition_record_scope


def relief_scope(user: User) -> Q:
    """The relief applications ``user`` may see: those of an applying organ or a fund-owning
    organ in the user's jurisdiction, **never** one of a petition that accuses the user's organ
    (or one above it) or names the user (Art. 30 para 3); outside the scope is a 404."""
    from xinfang.petitions.selectors.access import organs_within_q

    if not user_can(user, Cap.RESOLUTION_VIEW) or user.organ is None:
        return Q(pk__in=[])
    within = organs_within_q(user.organ) | organs_within_q(user.organ, "fund__organ")
    return within & ~Q(petition__in=hidden_petitions(user))


def fund_scope(user: User) -> Q:
    """The relief funds ``user`` may see (their ledgers): the funds of organs in the user's
    jurisdiction. A ledger line names an application by its number only."""
    from xinfang.petitions.selectors.access import organs_within_q

    if not user_can(user, Cap.RESOLUTION_VIEW) or user.organ is None:
        return Q(pk__in=[])
    return organs_within_q(user.organ)


def funds_open_to(organ: Organ) -> Q:
    """The funds an organ may apply to: those of organs of its own region or a region above."""
    return Q(organ__region__code__in=[r.code for r in region_chain(organ.region_id)])


def _accused_sees_not(petition: Petition, organ: Organ) -> bool:
    """The petition accuses ``organ`` or an organ above it: its staff never see it."""
    accused = petition.accused_organ_id
    return accused is not None and accused in organ_ancestor_ids(organ)


def fund_for_petition(petition: Petition, fund: ReliefFund) -> ReliefFund | None:
    """The fund whose owner approves and pays relief for ``petition``: the chosen ``fund``,
    unless the petition accuses its owner (or an organ above it), who must never see it
    (Art. 30 para 3) and so could never approve it; then the same year's fund of the nearest
    higher region whose owner is not accused. None: there is no such fund."""
    from xinfang.resolution.models import ReliefFund

    fund_organ = fund.organ
    if not _accused_sees_not(petition, fund_organ):
        return fund
    above = [r.code for r in region_chain(fund_organ.region_id)][1:]
    order = {code: i for i, code in enumerate(above)}
    higher = [
        f
        for f in ReliefFund.objects.filter(year=fund.year, organ__region_id__in=above)
        .select_related("organ")
        .order_by("pk")
        if not _accused_sees_not(petition, f.organ)
    ]
    return min(higher, key=lambda f: (order[f.organ.region_id], f.organ.path), default=None)
