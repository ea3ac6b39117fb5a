"""Reading the dispute screening ledger: one entry, the ledger of an organ and everything below
it (a township's, a county's: the roll-up upwards), its totals and the monthly report.

Totals and roll-ups are sums of ``DisputeCount`` (kept by the services with each entry), never a
GROUP BY over the live table: a county's 10^5 entries are a few thousand count rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet, Sum

from xinfang.core.errors import NotFound
from xinfang.core.masking import mask_name
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention import rules
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import (
    Dispute,
    DisputeCount,
    DisputeKind,
    DisputeStatus,
    LedgerExport,
)

DisputeKindLabel = dict(DisputeKind.choices)

PAGE_SIZE = 50


@dataclass(frozen=True)
class LedgerFilter:
    cycle: date | None = None  # the first day of a screening cycle
    kind: str = ""
    status: str = ""
    organ_id: int | None = None


@dataclass
class OrganRow:
    organ_id: int
    organ: str
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in rules.OPEN_STATUSES)


@dataclass
class Ledger:
    rows: list[Dispute]
    next_cursor: int | None
    totals: dict[str, int]
    by_organ: list[OrganRow]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _scoped(model, *, user: User, flt: LedgerFilter):  # type: ignore[no-untyped-def]
    # The organs in scope as a subquery (a few dozen rows), not a join on their paths: each
    # organ's rows are then read through the (organ, cycle …) indexes.
    organs = Organ.objects.filter(organ_scope(user, None)).values("pk")
    qs = model.objects.filter(organ_id__in=organs)
    if flt.cycle:
        qs = qs.filter(cycle=flt.cycle)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.organ_id:
        qs = qs.filter(organ_id=flt.organ_id)
    return qs


def counts_for_user(*, user: User, flt: LedgerFilter | None = None) -> QuerySet[DisputeCount]:
    """The ledger's count cells in the user's scope, filtered like the ledger."""
    return _scoped(DisputeCount, user=user, flt=flt or LedgerFilter())


def _by_organ(cells) -> tuple[dict[str, int], list[OrganRow]]:  # type: ignore[no-untyped-def]
    totals: dict[str, int] = defaultdict(int)
    by_organ: dict[int, OrganRow] = {}
    for organ_id, status, n in cells:
        if not n:
            continue
        totals[status] += n
        by_organ.setdefault(organ_id, OrganRow(organ_id, "")).by_status[status] = n
    names = dict(Organ.objects.filter(pk__in=list(by_organ)).values_list("pk", "name"))
    for r in by_organ.values():
        r.organ = names.get(r.organ_id, "")
    return dict(totals), sorted(by_organ.values(), key=lambda r: r.organ)


def disputes_for_user(*, user: User, flt: LedgerFilter | None = None) -> QuerySet[Dispute]:
    """Every dispute in the user's scope, filtered (the ledger, the export and the report)."""
    return _scoped(Dispute, user=user, flt=flt or LedgerFilter())


def dispute_ledger(
    *, user: User, flt: LedgerFilter | None = None, cursor: int | None = None
) -> Ledger:
    """One page of the ledger (newest first, keyset by id), the totals by status and the
    roll-up by recording organ (from the counts). Three queries whatever the size of the ledger."""
    qs = disputes_for_user(user=user, flt=flt)
    page = qs.order_by("-id")
    if cursor:
        page = page.filter(id__lt=cursor)
    rows = list(page.select_related("organ", "petition")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    cells = (
        counts_for_user(user=user, flt=flt)
        .order_by()
        .values_list("organ_id", "status")
        .annotate(n=Sum("n"))
    )
    totals, by_organ = _by_organ(cells)
    return Ledger(
        rows=rows,
        next_cursor=rows[-1].pk if more and rows else None,
        totals=totals,
        by_organ=by_organ,
    )


def dispute_count(*, user: User, flt: LedgerFilter | None = None) -> int:
    """How many entries the (filtered) ledger has, from the counts."""
    return counts_for_user(user=user, flt=flt).aggregate(n=Sum("n"))["n"] or 0


def ledger_export_get_for_user(*, user: User, export_id: int) -> LedgerExport:
    """An export of the ledger: only the one who asked for it sees it (it holds what their
    rights showed them, names included)."""
    job = LedgerExport.objects.filter(pk=export_id, requested_by=user).first()
    if job is None:
        raise NotFound()
    return job


def dispute_get_for_user(*, user: User, dispute_id: int) -> Dispute:
    d = (
        Dispute.objects.filter(organ_scope(user), pk=dispute_id)
        .select_related("organ", "petition", "recorded_by")
        .first()
    )
    if d is None:
        raise NotFound()
    return d


def party_name_for(user: User, name: str) -> str:
    """A party's name as ``user`` may read it: in full for the roles that handle cases
    (mediation needs it), masked for supervision and leadership."""
    return name if user_can(user, Cap.VIEW_IDENTITY) else mask_name(name)


def statuses() -> list[tuple[str, str]]:
    return list(DisputeStatus.choices)


@dataclass
class MonthlyReport:
    cycle: date
    found: int  # entries found in the cycle
    by_kind: list[tuple[str, int]]
    by_status: dict[str, int]
    by_organ: list[OrganRow]
    carried_open: int  # entries of earlier cycles still open
    closed_in_cycle: dict[str, int]  # outcomes recorded in the cycle, any cycle found

    @property
    def settled_share(self) -> float | None:
        closed = sum(self.closed_in_cycle.values())
        return self.closed_in_cycle.get("settled", 0) / closed if closed else None


def dispute_monthly_report(
    *, user: User, cycle: date, organ_id: int | None = None
) -> MonthlyReport:
    """The monthly screening report (月度排查报告) of the user's scope: what was found in the
    cycle by kind, status and organ, what earlier cycles left open, what was closed and how."""
    end = rules.cycle_end(cycle)
    counts = counts_for_user(user=user, flt=LedgerFilter(organ_id=organ_id))
    found = counts.filter(cycle=cycle).order_by()
    by_kind = [
        (k, n)
        for k, n in found.values_list("kind").annotate(n=Sum("n")).order_by("-n", "kind")
        if n
    ]
    by_status, by_organ = _by_organ(found.values_list("organ_id", "status").annotate(n=Sum("n")))
    carried = (
        counts.filter(cycle__lt=cycle, status__in=list(rules.OPEN_STATUSES)).aggregate(n=Sum("n"))[
            "n"
        ]
        or 0
    )
    # what was closed in the month, whatever the cycle found: one month of the
    # (organ, closed_on) index, not the ledger
    scope = disputes_for_user(user=user, flt=LedgerFilter(organ_id=organ_id))
    closed = dict(
        scope.filter(closed_on__gte=cycle, closed_on__lt=end)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("id"))
    )
    return MonthlyReport(
        cycle=cycle,
        found=sum(by_status.values()),
        by_kind=[(str(DisputeKindLabel.get(k, k)), n) for k, n in by_kind],
        by_status=by_status,
        by_organ=by_organ,
        carried_open=carried,
        closed_in_cycle=closed,
    )
