"""Backlog cases as a user may see them (``access.backlog_scope``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.resolution.access import backlog_scope
from xinfang.resolution.models import BacklogCase
from xinfang.resolution.selectors.supervision import PAGE, Page, keyset_page


def backlog_list_for_user(
    *,
    user: User,
    today: date,
    status: str = "",
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    """The board: newest first by keyset, each case with its count of overdue milestones."""
    qs = (
        BacklogCase.objects.filter(backlog_scope(user))
        .select_related("organ", "petition")
        .annotate(
            overdue=Count(
                "milestones",
                filter=Q(milestones__done_on__isnull=True, milestones__due_on__lt=today),
            ),
            milestones_n=Count("milestones", distinct=True),
        )
        .only("pk", "status", "proposed_on", "leader", "organ__name", "petition__tracking_code")
    )
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def backlog_counts_for_user(*, user: User) -> list[dict]:
    """The board's summary: cases by organ and status (a small table: one row per live case)."""
    return list(
        BacklogCase.objects.filter(backlog_scope(user))
        .values("organ__name", "status")
        .annotate(n=Count("pk"))
        .order_by("organ__name", "status")
    )


def backlog_get_for_user(*, user: User, case_id: int) -> BacklogCase:
    case = (
        BacklogCase.objects.filter(backlog_scope(user), pk=case_id)
        .select_related("organ", "decided_by")
        .first()
    )
    if case is None:
        raise NotFound(gettext("未找到该积案，或不在您的查看范围内"))
    return case


def backlog_petition_for_user(*, user: User, case: BacklogCase):  # type: ignore[no-untyped-def]
    """The case's petition if the user may open it (title and tracking code), else None."""
    return (
        petition_queryset_for_user(user=user)
        .filter(pk=case.petition_id)
        .only("pk", "title", "tracking_code", "state")
        .first()
    )
