"""Supervision notices and escalations as a user may see them (``access.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext

from xinfang.core.errors import NotFound
from xinfang.directory.models import OrganKind, User
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.resolution.access import escalation_scope, notice_scope, region_prefix
from xinfang.resolution.models import Escalation, SupervisionNotice

PAGE = 50


@dataclass
class Page:
    rows: list
    next_cursor: int | None
    total: int | None = None  # rows of the whole list (``counted``: the 台账 export counts them)


def keyset_page(qs, *, cursor: int | None, limit: int = PAGE, counted: bool = False) -> Page:  # type: ignore[no-untyped-def]
    """One page of a list, newest first by keyset (``cursor``: the last id shown); the pages
    and their 台账 export (``analytics.export_kinds``) read the same rows in the same order."""
    total = qs.count() if counted else None
    if cursor:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows=rows, next_cursor=rows[-1].pk if more else None, total=total)


def notice_list_for_user(
    *,
    user: User,
    status: str = "",
    listed: bool = False,
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    """Newest first, by keyset (``cursor``: the last id shown)."""
    qs = SupervisionNotice.objects.filter(notice_scope(user)).select_related("office", "organ")
    if status:
        qs = qs.filter(status=status)
    if listed:
        qs = qs.filter(listed=True)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def notice_get_for_user(*, user: User, notice_id: int) -> SupervisionNotice:
    n = (
        SupervisionNotice.objects.filter(notice_scope(user), pk=notice_id)
        .select_related("office", "organ", "issued_by", "replied_by")
        .first()
    )
    if n is None:
        raise NotFound(gettext("未找到该督办通知，或不在您的查看范围内"))
    return n


def notice_petitions_for_user(*, user: User, notice: SupervisionNotice) -> list:
    """The petitions of the notice that the user may open (title and tracking code)."""
    return list(
        petition_queryset_for_user(user=user)
        .filter(supervision_notices=notice)
        .only("pk", "title", "tracking_code", "state")
        .order_by("pk")
    )


def escalation_list_for_user(
    *, user: User, cursor: int | None = None, limit: int = PAGE, counted: bool = False
) -> Page:
    """The escalations addressed to the user's organ or an organ below it (a petition office:
    to any organ of its region), newest first."""
    organ = user.organ
    if organ is None:
        return Page(rows=[], next_cursor=None)
    to = Q(to_organ__path__startswith=organ.path or f"/{organ.pk}/")
    if organ.kind == OrganKind.PETITION_OFFICE:
        to |= Q(to_organ__region__code__startswith=region_prefix(organ))
    qs = Escalation.objects.filter(escalation_scope(user), to).select_related(
        "to_organ", "notice", "petition"
    )
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)
