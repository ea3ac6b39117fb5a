"""The section "源头预防" of the staff petition page (registered in apps.py): the dispute a
petition came from. Read through the user's prevention scope; nothing for a user without it."""

from __future__ import annotations

from typing import Any

from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import Dispute


def prevention_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    if not user_can(user, Cap.PREVENTION_VIEW):
        return None
    disputes = list(
        Dispute.objects.filter(organ_scope(user), petition_id=petition.pk).select_related("organ")
    )
    if not disputes:
        return None
    return {"disputes": disputes}
