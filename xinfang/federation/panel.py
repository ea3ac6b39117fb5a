"""The section "跨系统转送" of the staff petition page (petitions.extensions, ADR 0010): a
petition handed to another installation (delivered or waiting, its steps there) or received
from one (from whom, under which tracking code there)."""

from __future__ import annotations

from typing import Any

from xinfang.federation.models import Link
from xinfang.federation.selectors import remote_handling
from xinfang.petitions.extensions import present


def federation_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    """Shown to a user the page's gate let in (the page calls panels only after its gate)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if present(petition, "federation") is False:
        return None  # never crossed to another installation (the page's presence query)
    links = list(Link.objects.filter(petition=petition).select_related("peer").order_by("id"))
    if not links:
        return None  # one query for a petition that never crossed to another installation
    received = [lk for lk in links if lk.direction == Link.IN]
    out = [lk for lk in links if lk.direction == Link.OUT]
    sent = remote_handling(petition=petition, links=out) if out else []
    return {"sent": sent, "received": received}
