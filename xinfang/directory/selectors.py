"""Reads of the directory: a region's chain of ancestors and the petition office that receives
a petition about a region (passing over an office at or below an accused organ)."""

from __future__ import annotations

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
