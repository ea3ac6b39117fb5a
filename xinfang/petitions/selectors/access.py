"""The gate: which petitions a user may see (jurisdiction and the accusation exclusions), and
the querysets every other read starts from. Interface code gets petitions only through the
``*_for_user`` functions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from xinfang.core.errors import NotFound
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.directory.selectors import organ_ancestor_ids
from xinfang.petitions import extensions, target_rules
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.parties import identity_restricted_q


def _visible(user: User) -> Q:
    """Jurisdiction, the one rule for every list, search, page, API call and export.

    A petition is visible while it is with the user's organ or an organ below it (a petition
    office: with any organ of its region), or was handled or reviewed by the user's organ, and
    only to a role that may read petitions; never,
    while it accuses the user's organ or an organ above it, to the accused organ's staff or
    anyone below it, and never to a staff member it names (Art. 30 para 3, Art. 46(5))."""
    if not user_can(user, Cap.VIEW_PETITIONS):
        return Q(pk__in=[])
    organ: Organ | None = user.organ if user.is_authenticated else None
    if organ is None:
        return Q(pk__in=[])
    return (_held(organ) | _handled(organ)) & _exclusions(user)


def _handled(organ: Organ) -> Q:
    """What the organ handled or reviewed and has since gone up for review or re-review: it
    keeps reading its own case (its history, the petitioner's request, the decision on it),
    while the reviewing organ acts (Arts. 35, 36; issue 12). Reads only: the service gate
    (``actor_may``) still lets only the holder act."""
    return Q(handling_organ_id=organ.pk) | Q(review_organ_id=organ.pk)


def _jurisdiction(user: User) -> Q:
    """Where the user's organ may look, with both accusation exclusions; no role check (the
    callers decide which capability reads through it: petitions, or de-identified counts)."""
    organ: Organ | None = user.organ if user.is_authenticated else None
    if organ is None:
        return Q(pk__in=[])
    return _held(organ) & _exclusions(user)


def _held(organ: Organ) -> Q:
    """Held by the organ or one below it (a petition office: by any organ of its region)."""
    below = organ.path or f"/{organ.pk}/"
    held = Q(current_organ__path__startswith=below)
    if organ.kind == OrganKind.PETITION_OFFICE:
        held |= _in_region(organ)
    return held


def statistics_scope(*, user: User) -> Q | None:
    """The jurisdiction of ``petition_queryset_for_statistics`` without the petitions that name
    the user, as a condition on ``current_organ`` and ``accused_organ_id`` alone: what a rollup
    keyed by those (``analytics.PetitionTally``) can express. The caller subtracts the
    petitions naming the user (``petitions_naming``). None: nothing to count."""
    organ = user.organ if user.is_authenticated else None
    if organ is None or not user_can(user, Cap.VIEW_DEIDENTIFIED):
        return None
    return _held(organ) & ~Q(accused_organ_id__in=organ_ancestor_ids(organ))


def petitions_naming(*, user: User) -> QuerySet[Petition]:
    """The petitions an accusation names ``user`` in (to leave out of the user's counts)."""
    return Petition.objects.filter(_names(user))


def _exclusions(user: User) -> Q:
    """The two accusation exclusions alone (for reads already bounded to the user's organ)."""
    organ = user.organ
    ancestors = organ_ancestor_ids(organ) if organ is not None else []
    return ~Q(accused_organ_id__in=ancestors) & ~_names(user)


def accusation_exclusions(*, user: User) -> Q:
    """The petitions ``user`` may never see whatever else allows it, negated: those accusing the
    user's organ or an organ above it and those naming the user (Art. 30 para 3, Art. 46(5)).
    For the records of other apps that carry petitions (a supervision notice)."""
    return _exclusions(user)


def _names(user: User) -> Q:
    """The petitions that name ``user`` as accused (a subquery: no join, no duplicate rows)."""
    named = Petition.accused_staff.through.objects.filter(user_id=user.pk)
    return Q(pk__in=named.values("petition_id"))


def petition_names_user(*, petition: Petition, user: User) -> bool:
    """Whether ``petition`` names ``user`` as accused (the service gate's recusal check)."""
    return Petition.accused_staff.through.objects.filter(
        petition_id=petition.pk, user_id=user.pk
    ).exists()


def region_prefix(office: Organ) -> str:
    """The region-code prefix of everything in ``office``'s region ("" nationwide). An organ's
    level is its region's level, so the prefix needs no query."""
    return target_rules.region_prefix(office.level, office.region_id)


def organs_within_q(organ: Organ, field: str | None = "organ") -> Q:
    """Records whose ``field`` (an Organ foreign key; None: the Organ itself) lies in ``organ``'s
    jurisdiction: the organ and those below it, and for a petition office every organ of its
    region, as for petitions. The apps' own records (prevention, reception) use this rule."""
    pre = f"{field}__" if field else ""
    q = Q(**{f"{pre}path__startswith": organ.path or f"/{organ.pk}/"})
    if organ.kind == OrganKind.PETITION_OFFICE:
        q |= Q(**{f"{pre}region__code__startswith": region_prefix(organ)})
    return q


def organ_within(own: Organ, organ: Organ) -> bool:
    """``organ`` lies in ``own``'s jurisdiction (the rule of ``organs_within_q``, in Python:
    ``target_rules.within``)."""
    return target_rules.within(organ_facts(own), organ_facts(organ))


def organ_facts(organ: Organ, *, served: bool | None = None) -> target_rules.OrganFacts:
    """What the pure target rule reads of an organ. ``served``: for an organ another
    installation serves, whether an active peer serves it now (asked of the database, one
    query, when not given; never for an organ of ours)."""
    external = bool(organ.external)
    if external and served is None:
        served = Organ.objects.filter(extensions.external_served_q(), pk=organ.pk).exists()
    return target_rules.OrganFacts(
        pk=organ.pk,
        path=organ.path,
        kind=organ.kind,
        level=organ.level,
        region_id=organ.region_id,
        is_active=organ.is_active,
        external=external,
        served=bool(served),
    )


def _in_region(office: Organ) -> Q:
    prefix = region_prefix(office)
    return Q(current_organ__region__code__startswith=prefix) if prefix else Q()


def petition_queryset_for_user(*, user: User) -> QuerySet[Petition]:
    """Every petition the user may see (for admin lists and exports: filter further)."""
    return Petition.objects.filter(_visible(user))


def petition_visible(*, user: User, ref: str = "petition_id") -> Exists:
    """The outer row's petition (``ref``: the petition id of the outer query) is one ``user``
    may see: the rule of ``petition_queryset_for_user``, as one EXISTS probed by primary key per
    row. ``petition_id IN (petition_queryset_for_user(...))`` means the same, but SQLite builds
    that list first by reading every petition the user may see (the whole table for a
    province: seconds at 10^6), however few the rows it filters."""
    return Exists(Petition.objects.filter(_visible(user), pk=OuterRef(ref)))


def petition_queryset_for_organ_hints(*, user: User) -> QuerySet[Petition]:
    """The petitions whose handling organ may be counted for ``user``'s organ hints at the desk:
    those the user may see, and every other petition that is neither an accusation nor
    confidential (which organ usually handles a topic is no secret; that an accusation exists
    is, Art. 30 para 3, Art. 46(5))."""
    return Petition.objects.filter(_visible(user) | ~identity_restricted_q())


def petition_queryset_linkable_for(*, user: User) -> QuerySet[Petition]:
    """The earlier petitions ``user`` may name as the one a new petition repeats (Art. 36(3)):
    those the user may see, and those the user's own organ registered (it knows of them; a
    repeat of a matter it once received and sent on comes back to it), never one that accuses
    the user's organ or an organ above it or names the user."""
    if not user_can(user, Cap.VIEW_PETITIONS) or user.organ_id is None:
        return Petition.objects.none()
    own = Q(registering_organ_id=user.organ_id) & _exclusions(user)
    return Petition.objects.filter(_visible(user) | own)


def petition_queryset_for_statistics(*, user: User) -> QuerySet[Petition]:
    """The petitions an analyst's counts are taken over: the same jurisdiction and the same
    exclusions as ``_visible``, read only by ``view_deidentified`` (aggregates, never rows)."""
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        return Petition.objects.none()
    return Petition.objects.filter(_jurisdiction(user))


def petition_get_for_user(*, user: User, petition_id: int) -> Petition:
    """The petition if the user may see it; otherwise NotFound, the same answer as for a
    petition that does not exist (nothing tells the accused that an accusation exists)."""
    p = (
        Petition.objects.filter(_visible(user), pk=petition_id)
        .select_related(
            "current_organ",
            "registering_organ",
            "handling_organ",
            "review_organ",
            "re_review_organ",
            "region",
            "accused_organ",
        )
        .first()
    )
    if p is None:
        raise NotFound(gettext("未找到该信访事项，或不在您的查看范围内"))
    p._xinfang_gate_user = user.pk  # type: ignore[attr-defined]  # petition_passed_gate
    return p


def petition_passed_gate(*, petition: Petition, user: User) -> bool:
    """Whether ``petition`` is the object ``petition_get_for_user`` gave ``user`` in this
    request (so a panel of the page need not ask the gate again), else the gate's answer now."""
    if user.pk is not None and getattr(petition, "_xinfang_gate_user", None) == user.pk:
        return True
    return Petition.objects.filter(_visible(user), pk=petition.pk).exists()
