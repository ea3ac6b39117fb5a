"""The leader's board (包案): the petitions a leader has taken charge of, with every open
promise and the next deadline; and each user's worklist of promises they own. Petitions are
read only through the petitions gate, so an accusation never reaches the accused organ's board."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_user, petition_visible
from xinfang.reception.models import Promise, PromiseStatus, ReceptionRecord


def leader_name(user: User) -> str:
    """The name a leader's 包案 is recorded under on the petition (``leader_in_charge``)."""
    return user.person_name


def board_petitions(*, user: User) -> QuerySet[Petition]:
    return (
        petition_queryset_for_user(user=user)
        .filter(
            leader_case=True,
            # the name as recorded before names came from person_name too (get_full_name/login)
            leader_in_charge__in={
                leader_name(user),
                (user.get_full_name() or user.username).strip(),
            },
        )
        .select_related("current_organ")
        .order_by("next_due", "id")
    )


def board_promises(*, user: User) -> QuerySet[Promise]:
    """Open promises on the leader's petitions and those the user owns."""
    # EXISTS per promise, not petition_id IN (...): SQLite would read every visible petition
    mine = Exists(board_petitions(user=user).filter(pk=OuterRef("petition_id")))
    return (
        Promise.objects.filter(
            mine | Q(owner_id=user.pk),
            petition_visible(user=user),
            status=PromiseStatus.OPEN,
        )
        .select_related("petition", "owner", "record")
        .order_by("due_on", "id")
    )


def records_of_petition(*, petition: Petition) -> QuerySet[ReceptionRecord]:
    """The petition's reception records (the caller got the petition through the gate)."""
    return (
        ReceptionRecord.objects.filter(petition_id=petition.pk)
        .select_related("organ", "received_by", "visit")
        .prefetch_related("promises__owner")
        .order_by("received_at", "id")
    )


def record_get_for_user(*, user: User, record_id: int) -> ReceptionRecord:
    from xinfang.core.errors import NotFound

    r = (
        ReceptionRecord.objects.filter(petition_visible(user=user), pk=record_id)
        .select_related("petition", "organ", "received_by", "recorded_by", "session", "visit")
        .first()
    )
    if r is None:
        raise NotFound()
    return r
