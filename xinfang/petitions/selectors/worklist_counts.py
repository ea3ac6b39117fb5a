"""The worklist's counts (its filter badges, its overdue and due-soon figures, its total) read
from the rollup ``WorklistTally`` instead of the organ's open petitions (issues 14, 16).

Exact for every reader: the rollup is kept in the transaction of each change it counts, the
rows accusing the reader's organ or one above it are left out by their key, and the few
petitions naming the reader (Art. 30 para 3, Art. 46(5)) are read and taken away. The clock
needs no job: rows are kept by due date, and today only decides which of them are overdue.
Two queries, whatever the number of open petitions: the rollup's rows of one organ are at most
(due dates in use) x (accused organs) x ``WORKLIST_SLOTS``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, CharField, Q, QuerySet, Sum, Value, When

from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.directory.selectors import organ_ancestor_ids
from xinfang.petitions.models import UNDATED, Petition, WorklistTally
from xinfang.petitions.selectors.access import _names
from xinfang.petitions.worklist_cells import COLUMNS, worklist_cell

#: The worklist's deadline colours (``due_range``) and "no due date".
BUCKETS = ("overdue", "due_soon", "running", "undated")


@dataclass(frozen=True)
class WorklistCounts:
    """The user's worklist counted: ``cells[bucket][column]`` (``COLUMNS``: ``n`` and each
    flag) for each deadline colour of ``BUCKETS``."""

    cells: dict[str, dict[str, int]]

    def count(self, *, due: str | None = None, flag: str | None = None) -> int:
        """Rows of the worklist filtered by a deadline colour and/or a flag (None: any)."""
        column = flag or "n"
        buckets = [due] if due else BUCKETS
        return sum(self.cells.get(b, {}).get(column, 0) for b in buckets)

    def flags(self) -> dict[str, int]:
        """The filter badges: each flag's petitions, and the major or urgent ones unreported."""
        return {c: self.count(flag=c) for c in COLUMNS if c != "n"}


def _empty() -> dict[str, dict[str, int]]:
    return {b: dict.fromkeys(COLUMNS, 0) for b in BUCKETS}


def bucket_of(next_due: date | None, today: date) -> str:
    """The colour of a due date, as ``due_range`` and ``due_status`` give it."""
    if next_due is None or next_due == UNDATED:
        return "undated"
    if next_due < today:
        return "overdue"
    if next_due <= today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS):
        return "due_soon"
    return "running"


def worklist_counts(*, user: User, today: date) -> WorklistCounts:
    """The counts of the user's worklist (``worklist_for_user`` without filters) as of
    ``today``: two queries, none of them over the organ's open petitions."""
    cells = _empty()
    if user.organ_id is None or not user_can(user, Cap.VIEW_PETITIONS):
        return WorklistCounts(cells)
    ancestors = organ_ancestor_ids(user.organ)
    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    bucket = Case(
        When(next_due=UNDATED, then=Value("undated")),
        When(next_due__lt=today, then=Value("overdue")),
        When(next_due__lte=soon, then=Value("due_soon")),
        default=Value("running"),
        output_field=CharField(),
    )
    rows = (
        WorklistTally.objects.filter(organ_id=user.organ_id)
        .exclude(accused_organ_id__in=ancestors)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(**{f"s_{c}": Sum(c) for c in COLUMNS})
        .order_by()
    )
    for r in rows:
        for c in COLUMNS:
            cells[r["bucket"]][c] += int(r[f"s_{c}"] or 0)
    # The petitions naming the user, which the rollup counted for the organ: taken away.
    named = Petition.objects.filter(
        _names(user), current_organ_id=user.organ_id, is_open=True
    ).exclude(accused_organ_id__in=ancestors)
    for p in named.only(
        "id", "current_organ_id", "accused_organ_id", "next_due", "is_open",
        *(c for c in COLUMNS if c not in ("n", "major_urgent_unreported")),
        "major_urgent_reported",
    ):  # fmt: skip
        cell = worklist_cell(p)
        if cell is None:
            continue
        b = bucket_of(p.next_due, today)
        for c, v in zip(COLUMNS, cell[1], strict=True):
            cells[b][c] -= v
    return WorklistCounts(cells)


def _on_tally(q: Q) -> Q:
    """``q`` (conditions on a petition's holding and accused organ: ``statistics_scope``) as
    conditions on the rollup's keys (``organ``: the holding organ)."""
    children = [
        _on_tally(c) if isinstance(c, Q)
        else (("organ" + c[0][len("current_organ"):]) if c[0].startswith("current_organ") else c[0], c[1])
        for c in q.children
    ]
    return Q(*children, _connector=q.connector, _negated=q.negated)


def worklist_due_by_organ(
    *, scope: Q, naming: QuerySet[Petition], today: date, organ_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """Open petitions past their next due date and due soon, per holding organ, exactly as
    each organ's worklist counts them (``bucket_of`` over ``WorklistTally``: the nearest open
    duty or window the holder must watch, T4 objection windows included), over ``scope``
    (``statistics_scope``: conditions on the holding and the accused organ) less ``naming``
    (the petitions naming the reader, taken away as the worklist takes them). One statement
    (UNION ALL), so a change committing meanwhile is seen whole or not at all; it reads the
    rollup's rows due by ``today + XINFANG_DUE_SOON_DAYS``, never the petitions (issue 16).
    ``organ_id``: that organ's line only. Returns ``{organ: (overdue, due_soon)}``, non-zero."""
    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)

    def counted(qs, organ: str, part: int, n):  # type: ignore[no-untyped-def]
        if organ_id is not None:
            qs = qs.filter(**{organ: organ_id})
        return (
            qs.filter(next_due__lte=soon)
            .annotate(part=Value(part))
            .values(organ, "part")
            .annotate(overdue=Sum(n, filter=Q(next_due__lt=today)),
                      due_soon=Sum(n, filter=Q(next_due__gte=today)))
            .order_by()
        )

    tally = counted(WorklistTally.objects.filter(_on_tally(scope)), "organ_id", 1, "n")
    named = counted(
        Petition.objects.filter(scope, is_open=True, pk__in=naming.values("id")),
        "current_organ_id", -1, Value(1),
    )
    got: dict[int, list[int]] = {}
    for r in tally.union(named, all=True):
        line = got.setdefault(r["organ_id"], [0, 0])
        line[0] += r["part"] * (r["overdue"] or 0)
        line[1] += r["part"] * (r["due_soon"] or 0)
    return {k: (v[0], v[1]) for k, v in got.items() if v[0] or v[1]}
