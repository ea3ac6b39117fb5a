"""Reads of the directory: a region's chain of ancestors and the petition office that receives
a petition about a region (passing over an office at or below an accused organ); the grouped
choices of the organ picker."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext

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
    An office at or below the accused organ is passed over (Art. 30 para 3)."""
    chain = region_chain(region_code)
    if not chain:
        return None
    order = {r.code: i for i, r in enumerate(chain)}
    offices = sorted(
        Organ.objects.filter(
            kind=OrganKind.PETITION_OFFICE, is_active=True, region_id__in=list(order)
        ),
        key=lambda o: (order[o.region_id], o.path),
    )
    for office in offices:
        if accused is not None and accused.path and office.path.startswith(accused.path):
            continue
        return office
    return None


def organ_in_subtree(organ: Organ, top: Organ) -> bool:
    """Whether ``organ`` is ``top`` or lies below it."""
    return bool(top.path) and (organ.path or "").startswith(top.path)


__all__ = ["organ_in_subtree", "petition_office_for", "region_chain"]


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
