"""API operations: the organs (to choose a transfer or referral target)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from xinfang.api.schemas import ERRORS, OrganOut
from xinfang.directory.models import Organ

router = Router()


@router.get("/organs", response={200: list[OrganOut], **ERRORS}, tags=["directory"])
def organs(request: HttpRequest, kind: str | None = None):  # type: ignore[no-untyped-def]
    """Active organs (to choose a transfer or referral target)."""
    qs = Organ.objects.filter(is_active=True).order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {"id": o.pk, "name": o.name, "kind": o.kind, "level": o.level, "region_code": o.region_id,
         "parent_id": o.parent_id}
        for o in qs[:2000]
    ]
