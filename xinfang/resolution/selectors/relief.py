"""Relief applications and funds as a user may see them (``access.relief_scope``,
``access.fund_scope``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.resolution.access import fund_scope, funds_open_to, relief_scope
from xinfang.resolution.models import FundEntry, ReliefApplication, ReliefFund
from xinfang.resolution.selectors.supervision import PAGE, Page, keyset_page


def relief_list_for_user(
    *,
    user: User,
    status: str = "",
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    qs = (
        ReliefApplication.objects.filter(relief_scope(user))
        .select_related("organ", "fund__organ", "petition")
        .only(
            "pk",
            "number",
            "status",
            "applied_on",
            "amount_requested",
            "amount_approved",
            "paid_total",
            "organ__name",
            "fund__year",
            "fund__organ__name",
            "petition__tracking_code",
        )
    )
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def relief_get_for_user(*, user: User, application_id: int) -> ReliefApplication:
    app = (
        ReliefApplication.objects.filter(relief_scope(user), pk=application_id)
        .select_related("organ", "fund__organ", "petition", "applied_by")
        .first()
    )
    if app is None:
        raise NotFound(gettext("未找到该救助申请，或不在您的查看范围内"))
    return app


def fund_list_for_user(*, user: User) -> list[ReliefFund]:
    return list(
        ReliefFund.objects.filter(fund_scope(user))
        .select_related("organ")
        .order_by("-year", "pk")[:200]
    )


def funds_for_applicant(*, user: User) -> list[ReliefFund]:
    if user.organ is None:
        return []
    return list(
        ReliefFund.objects.filter(funds_open_to(user.organ))
        .select_related("organ")
        .order_by("-year", "pk")[:100]
    )


def fund_get_for_user(*, user: User, fund_id: int) -> ReliefFund:
    fund = ReliefFund.objects.filter(fund_scope(user), pk=fund_id).select_related("organ").first()
    if fund is None:
        raise NotFound(gettext("未找到该救助资金，或不在您的查看范围内"))
    return fund


def fund_ledger(*, fund: ReliefFund) -> Iterator[FundEntry]:
    """The fund's ledger in order (a year of one organ: read in chunks)."""
    return (
        FundEntry.objects.filter(fund=fund)
        .select_related("application")
        .only("pk", "kind", "amount", "balance_after", "on", "note", "application__number")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )


def fund_ledger_page(
    *, fund: ReliefFund, after: int | None = None, limit: int = 2000, counted: bool = False
) -> tuple[list[FundEntry], int | None, int | None]:
    """A page of the fund's ledger in ``fund_ledger``'s order (by id) after the entry ``after``:
    (entries, the last one's id when more follow, how many in all when ``counted``)."""
    qs = FundEntry.objects.filter(fund=fund)
    total = qs.count() if counted else None
    rows = list(
        qs.filter(pk__gt=after or 0)
        .select_related("application")
        .only("pk", "kind", "amount", "balance_after", "on", "note", "application__number")
        .order_by("pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None), total
