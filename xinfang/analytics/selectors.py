"""De-identified counts for analysts: by category × state and by region (the drill-down).

* Read only by the ``view_deidentified`` capability; the counts are taken over
  ``petitions.selectors.petition_queryset_for_statistics``: the same jurisdiction as every
  petition read, with the same exclusions, so an accused organ (and a staff member an
  accusation names) never sees an accusation against them, not even as a count.
* Only aggregates: no identity, no petition, nothing per person. Regions are listed in code
  order, never ranked by count (regulation.md §11: no ranking of regions by petitions).
* Counted on the live table through the gate (the jurisdiction exclusions are per user, which
  a shared rollup row cannot express); a rollup keyed by organ and accused organ is the path
  when this must serve large provinces.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext

from xinfang.core.errors import Forbidden
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import petition_queryset_for_statistics
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
    qs = petition_queryset_for_statistics(user=user)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    return qs


def statistics_for_user(
    *, user: User, received_from: date | None = None, received_to: date | None = None
) -> Statistics:
    qs = _counted(user, received_from, received_to)
    cells = [
        CategoryStateCount(
            category=row["category"] or "",
            category_label=str(CATEGORY_LABELS[Category(row["category"])])
            if row["category"]
            else "未分类",
            state=row["state"],
            state_label=str(STATE_LABELS[State(row["state"])]),
            count=row["n"],
        )
        for row in qs.values("category", "state")
        .annotate(n=Count("id"))
        .order_by("category", "state")
    ]
    regions = [
        RegionCount(region_code=row["region_id"], region=row["region__name"], count=row["n"])
        for row in qs.values("region_id", "region__name")
        .annotate(n=Count("id"))
        .order_by("region_id")
    ]
    return Statistics(sum(c.count for c in cells), cells, regions)


# --- Matters (重信重访): petitions staff linked as one matter count once ---------------------


def matters_count_for_user(
    *, user: User, received_from: date | None = None, received_to: date | None = None
) -> int:
    """How many matters the counted petitions are (a linked group counts once), over the same
    gate and the same date filter as ``statistics_for_user``."""
    from xinfang.insight.matters_selectors import matters_count

    return matters_count(_counted(user, received_from, received_to))
