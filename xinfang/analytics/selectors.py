"""De-identified counts for analysts: by category × state and by region (the drill-down).

* Read only by the ``view_deidentified`` capability; the counts are taken over
  ``petitions.selectors.petition_queryset_for_statistics``: the same jurisdiction as every
  petition read, with the same exclusions, so an accused organ (and a staff member an
  accusation names) never sees an accusation against them, not even as a count.
* Only aggregates: no identity, no petition, nothing per person. Regions are listed in code
  order, never ranked by count (regulation.md §11: no ranking of regions by petitions).
* Whole months are read from the rollup ``analytics.PetitionTally`` (petitions counted by
  holding organ, region, category, state, accused organ and month, kept current by the petition
  services in the same transaction), with the jurisdiction and the accused-organ exclusion as
  conditions on those keys and the petitions naming the user subtracted; partly covered months
  are counted live. A test checks both ways agree for every analyst and many date ranges.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext

from xinfang.analytics.models import PetitionTally
from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.directory.models import Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import (
    petition_queryset_for_statistics,
    petitions_naming,
    statistics_scope,
)
from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS, Category, State


@dataclass(frozen=True)
class CategoryStateCount:
    category: str
    category_label: str
    state: str
    state_label: str
    count: int


@dataclass(frozen=True)
class RegionCount:
    region_code: str
    region: str
    count: int


@dataclass(frozen=True)
class Statistics:
    total: int
    by_category_state: list[CategoryStateCount]
    by_region: list[RegionCount]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counted(user: User, received_from: date | None, received_to: date | None):  # type: ignore[no-untyped-def]
    """The petitions ``user`` may count (the statistics gate), received in the date range."""
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    qs = petition_queryset_for_statistics(user=user).exclude(state=State.VOIDED)
    return qs.filter(clock.on_local_days("received_at", received_from, received_to))


def _month_end(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _month_split(
    lo: date | None, hi: date | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[date, date]]]:
    """Split a received-date range into whole months (read from the rollup; None: none, an
    open end: None) and the days of partly covered months at its edges (read live)."""
    if lo and hi and lo > hi:
        return None, []
    partial: list[tuple[date, date]] = []
    if lo is not None and lo.day != 1:
        partial.append((lo, min(_month_end(lo), hi) if hi else _month_end(lo)))
    if hi is not None and hi != _month_end(hi):
        start = max(hi.replace(day=1), lo) if lo else hi.replace(day=1)
        if not partial or start > partial[-1][1]:
            partial.append((start, hi))
    first = None if lo is None else lo if lo.day == 1 else _month_end(lo) + timedelta(days=1)
    last = (
        None
        if hi is None
        else hi.replace(day=1)
        if hi == _month_end(hi)
        else (hi.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    whole = None if first and last and first > last else (first, last)
    return whole, partial


def _add(into: tuple[Counter, Counter], qs, field: str, sign: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Add the counts of ``qs`` (petitions, or rollup rows with ``field`` = "n")."""
    agg = Sum("n") if field == "n" else Count("id")
    # one grouped query for both tables (category × state, region)
    for row in qs.values("category", "state", "region_id").annotate(k=agg).order_by():
        into[0][(row["category"] or "", row["state"])] += sign * row["k"]
        into[1][row["region_id"]] += sign * row["k"]


def statistics_for_user(
    *, user: User, received_from: date | None = None, received_to: date | None = None
) -> Statistics:
    """Counts by category × state and by region of what the user may count, received in the
    range. Whole months come from the rollup (``PetitionTally``, maintained with every
    registration and step), less the petitions that name the user; the days of partly
    covered months are counted live through the same gate."""
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    counts: tuple[Counter, Counter] = (Counter(), Counter())
    scope = statistics_scope(user=user)
    whole, partial = _month_split(received_from, received_to)
    if scope is not None and whole is not None:
        first, last = whole
        rollup = PetitionTally.objects.filter(scope)
        named = petitions_naming(user=user).filter(scope).exclude(state=State.VOIDED)
        if first:
            rollup = rollup.filter(month__gte=first)
        if last:
            rollup = rollup.filter(month__lte=last)
        named = named.filter(
            clock.on_local_days("received_at", first, _month_end(last) if last else None)
        )
        _add(counts, rollup, "n")
        _add(counts, named, "id", sign=-1)
    for d1, d2 in partial:
        live = (  # a voided registration counts nowhere (issue 12), as in the rollup
            petition_queryset_for_statistics(user=user)
            .exclude(state=State.VOIDED)
            .filter(clock.on_local_days("received_at", d1, d2))
        )
        _add(counts, live, "id")
    cells = [
        CategoryStateCount(
            category=category,
            category_label=str(CATEGORY_LABELS[Category(category)]) if category else "未分类",
            state=state,
            state_label=str(STATE_LABELS[State(state)]),
            count=n,
        )
        for (category, state), n in sorted(counts[0].items())
        if n
    ]
    names = dict(Region.objects.filter(code__in=list(counts[1])).values_list("code", "name"))
    regions = [
        RegionCount(region_code=code, region=names.get(code, code), count=n)
        for code, n in sorted(counts[1].items())
        if n
    ]
    return Statistics(sum(c.count for c in cells), cells, regions)


# --- Matters (重信重访): petitions staff linked as one matter count once ---------------------


def matters_count_for_user(
    *,
    user: User,
    received_from: date | None = None,
    received_to: date | None = None,
    petitions: int | None = None,
) -> int:
    """How many matters the counted petitions are (a linked group counts once), over the same
    gate and the same date filter as ``statistics_for_user`` (whose total, when the caller
    has it, is ``petitions``)."""
    from xinfang.insight.matters.selectors import matters_count

    if petitions is None:
        petitions = statistics_for_user(
            user=user, received_from=received_from, received_to=received_to
        ).total
    return matters_count(_counted(user, received_from, received_to), total=petitions)
