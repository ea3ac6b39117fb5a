"""Hooks registered into petitions (``extensions.on_accused``, ``on_acted``): a petition that now
accuses an organ or names a staff member leaves the hot-issue snapshots that may hold it (Art. 30
para 3): the accused organ and the organs below it, and each staff member named before or now."""

from __future__ import annotations

from typing import Any

from xinfang.directory.models import Organ
from xinfang.insight.hot.snapshots import hot_snapshots_forget


def _organ_and_below(organ_id: int | None) -> list[int]:
    organ = Organ.objects.filter(pk=organ_id).first() if organ_id else None
    if organ is None:
        return []
    return list(
        Organ.objects.filter(path__startswith=organ.path or f"/{organ.pk}/").values_list(
            "pk", flat=True
        )
    ) or [organ.pk]


def petition_accused(*, petition: Any, user_ids: Any, before: Any = ()) -> None:
    hot_snapshots_forget(
        organ_ids=_organ_and_below(petition.accused_organ_id), user_ids=list(user_ids)
    )


def petition_acted(*, petition: Any, event: Any, before: Any) -> None:
    """A step that makes the petition an accusation (its category) or changes the organ it
    accuses."""
    if (petition.category, petition.accused_organ_id) != (before.category, before.accused_organ_id):
        named = petition.accused_staff.through.objects.filter(petition_id=petition.pk)
        hot_snapshots_forget(
            organ_ids=_organ_and_below(petition.accused_organ_id)
            + _organ_and_below(before.accused_organ_id),
            user_ids=list(named.values_list("user_id", flat=True)),
        )
