"""Reading joint conferences: those the user's organ convened (or an organ in its scope), and
those it is a member of (to see and answer its tasks)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import Conference, ConferenceTask


def _visible(user: User) -> Q:
    if not user_can(user, Cap.PREVENTION_VIEW) or user.organ_id is None:
        return Q(pk__in=[])
    return organ_scope(user) | Q(
        pk__in=Conference.members.through.objects.filter(organ_id=user.organ_id).values(
            "conference_id"
        )
    )


def conferences_for_user(*, user: User) -> QuerySet[Conference]:
    return Conference.objects.filter(_visible(user)).select_related("organ")


def conference_get_for_user(*, user: User, conference_id: int) -> Conference:
    c = conferences_for_user(user=user).filter(pk=conference_id).first()
    if c is None:
        raise NotFound()
    return c


def tasks_for_organ(*, user: User, open_only: bool = True) -> QuerySet[ConferenceTask]:
    """The joint-conference tasks given to the user's organ, nearest due first."""
    if not user_can(user, Cap.PREVENTION_VIEW) or user.organ_id is None:
        return ConferenceTask.objects.none()
    qs = ConferenceTask.objects.filter(organ_id=user.organ_id).select_related("item__conference")
    if open_only:
        qs = qs.exclude(status="closed")
    return qs.order_by("due_on", "id")
