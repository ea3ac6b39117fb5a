"""Reads of the directory: a region's chain of ancestors and the petition office that receives
a petition about a region (passing over an office at or below an accused organ); the grouped
choices of the organ picker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.utils.translation import gettext

from xinfang.core.inputs import is_digits
from xinfang.directory.models import Organ, OrganKind, Region


def region_chain(code: str) -> list[Region]:
    """The region and its ancestors, nearest first."""
    region = Region.objects.filter(code=code).first()
    chain: list[Region] = []
    seen: set[str] = set()
    while region is not None and region.code not in seen:
        chain.append(region)
        seen.add(region.code)
        region = region.parent
    return chain


def petition_office_for(*, region_code: str, accused: Organ | None = None) -> Organ | None:
    """The petition office (信访部门) of the region or of its nearest ancestor that has one.
    An office at or below the accused organ is passed over (Art. 30 para 3). An external organ
    (served by another installation) never receives here: it is only ever a hand-over target."""
    chain = region_chain(region_code)
    if not chain:
        return None
    order = {r.code: i for i, r in enumerate(chain)}
    offices = sorted(
        Organ.objects.filter(
            kind=OrganKind.PETITION_OFFICE,
            is_active=True,
            external=False,
            region_id__in=list(order),
        ),
        key=lambda o: (order[o.region_id], o.path),
    )
    for office in offices:
        if accused is not None and accused.path and office.path.startswith(accused.path):
            continue
        return office
    return None


def organ_ancestor_ids(organ: Organ) -> list[int]:
    """The ids of ``organ`` and of every organ above it, the top first: its materialised path
    (``Organ.path``, "/1/5/23/"). The one reading of the path: an organ is accused (or below an
    accused organ) exactly when the accused organ's id is among these (Art. 30 para 3)."""
    return [int(x) for x in (organ.path or f"/{organ.pk}/").strip("/").split("/") if x]


def organ_in_subtree(organ: Organ, top: Organ) -> bool:
    """Whether ``organ`` is ``top`` or lies below it."""
    return bool(top.path) and (organ.path or "").startswith(top.path)


__all__ = ["organ_ancestor_ids", "organ_in_subtree", "petition_office_for", "region_chain"]


#: The order of levels in the organ picker: the top of the hierarchy first.
LEVEL_ORDER = ["national", "province", "city", "county", "township"]


def organ_picker_groups(*, organs: Iterable[Organ]) -> list[dict]:
    """The choices of the one organ picker (issue 12, item 10), grouped by level and then by
    region (``<optgroup>`` labels such as "县级 · 青山县"), top of the hierarchy first, each group
    in tree order. ``organs`` are the organs that make sense for the action (the caller narrows
    them); each option is ``(str(pk), name)`` so a posted value compares as text."""
    groups: dict[tuple[int, str], dict] = {}
    for o in organs:
        rank = LEVEL_ORDER.index(o.level) if o.level in LEVEL_ORDER else len(LEVEL_ORDER)
        key = (rank, o.region_id)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"label": organ_picker_label(o), "options": []}
        g["options"].append((str(o.pk), o.name))
    return [groups[k] for k in sorted(groups)]


def organ_picker_label(organ: Organ) -> str:
    """The picker's group of an organ: its level and region ("县级 · 青山县")."""
    return f"{gettext(organ.get_level_display())} · {organ.region.name}"


#: The most organs one picker search answers with (the rest: "还有 N 个，请输入更多字").
SEARCH_LIMIT = 50
#: The order of a cut list or a search's answer: the organs highest in the tree first (the
#: shortest path), by name (tree order by path text would put "/1/10/" before "/1/9/").
TOP_FIRST = (Length("path"), "name", "pk")


@dataclass
class SearchPage:
    organs: list[Organ] = field(default_factory=list)
    total: int = 0  # how many match in all
    more: int = 0  # how many match beyond ``organs``


def organ_search(
    *, allowed: Q, query: str = "", parent_id: int | None = None, limit: int = SEARCH_LIMIT
) -> SearchPage:
    """The organs among ``allowed`` that match ``query`` (issue 12, item 10): each word of it a
    part of the name, or, all digits, the beginning of the region code (GB/T 2260). With a
    ``parent_id``: that organ's children among them (one level of the tree). With neither: the
    top of their tree (those whose parent is not among them). Each organ carries
    ``child_count``, its children among ``allowed``, so a picker can walk down. Three queries
    whatever the number of organs."""
    q = allowed
    words = query.split()
    for w in words:
        q &= Q(region__code__startswith=w) if w.isdigit() else Q(name__icontains=w)
    if parent_id is not None:
        q &= Q(parent_id=parent_id)
    elif not words:
        q &= ~Q(parent_id__in=Organ.objects.filter(allowed).values("pk")) | Q(parent=None)
    matched = Organ.objects.filter(q)
    total = matched.count()
    children = (
        Organ.objects.filter(allowed, parent_id=OuterRef("pk"))
        .order_by()
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    organs = list(
        matched.select_related("region")
        .annotate(child_count=Coalesce(Subquery(children, output_field=IntegerField()), Value(0)))
        .order_by(*TOP_FIRST)[:limit]
    )
    return SearchPage(organs=organs, total=total, more=max(0, total - len(organs)))


def organ_picker_capped(qs: Any, cap: int) -> tuple[list[Organ], int]:
    """At most ``cap`` organs of ``qs`` (in its order) and how many there are in all: a page
    that lists fewer than all says so (issue 12, item 10: never cut silently). One query, a
    second (the count) only when the list is cut."""
    organs = list(qs[: cap + 1])
    if len(organs) <= cap:
        return organs, len(organs)
    return organs[:cap], qs.count()


def organ_picker_list(
    *, allowed: Q, full: int, first: int, keep: str = "", query: str = ""
) -> tuple[list[Organ], int, bool, int]:
    """A picker's organs among ``allowed`` for a page: all of them (tree order) when at most
    ``full``; else the first ``first`` (top of the tree first) and ``keep`` (an id chosen in a
    form shown again); with a ``query``, the search's answer. Returns (organs, total, cut,
    more): a cut list is said on the page, never cut silently (issue 12, item 10)."""
    if query.strip():
        page = organ_search(allowed=allowed, query=query)
        return page.organs, page.total, True, page.more
    qs = Organ.objects.filter(allowed).select_related("region")
    organs = list(qs.order_by("path")[: full + 1])
    if len(organs) <= full:
        return organs, len(organs), False, 0
    organs = list(qs.order_by(*TOP_FIRST)[:first])
    if is_digits(keep) and all(str(o.pk) != keep for o in organs):
        organs += list(qs.filter(pk=int(keep)))
    return organs, qs.count(), True, 0
