"""Reads of reception days: the calendar of an office (its organs' sessions) and of a leader
(the sessions they receive at)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.reception.access import organ_scope
from xinfang.reception.models import ReceptionSession


def _seen(user: User) -> Q:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return Q(pk__in=[])
    return organ_scope(user) | Q(leader_id=user.pk)


def sessions_for_user(
    *, user: User, start: date, end: date, mine: bool = False
) -> QuerySet[ReceptionSession]:
    """The sessions from ``start`` to ``end`` (inclusive) the user may see; ``mine``: only
    those the user receives at."""
    qs = ReceptionSession.objects.filter(_seen(user), on__gte=start, on__lte=end)
    if mine:
        qs = qs.filter(leader_id=user.pk)
    return qs.select_related("organ", "leader").order_by("on", "starts", "id")


def session_get_for_user(*, user: User, session_id: int) -> ReceptionSession:
    s = (
        ReceptionSession.objects.filter(_seen(user), pk=session_id)
        .select_related("organ", "leader")
        .first()
    )
    if s is None:
        raise NotFound()
    return s
