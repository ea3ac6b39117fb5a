"""Reads of down-visit plans (下访): the plans of the organs in the user's scope (and those the
user leads), each plan's petitions and records. Petitions are read only through the petitions
gate: a plan of an organ in the user's region may list a petition the user may not see (an
accusation against the user's organ, Art. 30 para 3); it is never listed, counted or linked."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_user, petition_visible
from xinfang.reception.access import organ_scope
from xinfang.reception.models import ReceptionRecord, VisitPlan


def _seen(user: User) -> Q:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return Q(pk__in=[])
    in_scope = Organ.objects.filter(organ_scope(user, None)).values("pk")
    return Q(organ_id__in=in_scope) | Q(leader_id=user.pk)


def visits_for_user(*, user: User, mine: bool = False) -> QuerySet[VisitPlan]:
    """The plans the user may see, latest first, each with ``shown``: how many of its
    petitions the user may see."""
    qs = VisitPlan.objects.filter(_seen(user))
    if mine:
        qs = qs.filter(leader_id=user.pk)
    return (
        qs.select_related("organ", "leader")
        .annotate(
            shown=Count("items", filter=petition_visible(user=user, ref="items__petition_id"))
        )
        .order_by("-on", "-id")
    )


def visit_get_for_user(*, user: User, plan_id: int) -> VisitPlan:
    plan = (
        VisitPlan.objects.filter(_seen(user), pk=plan_id)
        .select_related("organ", "leader", "created_by", "closed_by")
        .first()
    )
    if plan is None:
        raise NotFound()
    return plan


def visit_petitions_for_user(*, user: User, plan: VisitPlan) -> QuerySet[Petition]:
    """The plan's petitions the user may see."""
    return (
        petition_queryset_for_user(user=user)
        .filter(pk__in=plan.items.values("petition_id"))
        .select_related("current_organ")
        .order_by("id")
    )


def visit_records_for_user(*, user: User, plan: VisitPlan) -> QuerySet[ReceptionRecord]:
    """The records written on the visit, of petitions the user may see."""
    return (
        ReceptionRecord.objects.filter(petition_visible(user=user), visit_id=plan.pk)
        .select_related("received_by")
        .prefetch_related("promises__owner")
        .order_by("received_at", "id")
    )
