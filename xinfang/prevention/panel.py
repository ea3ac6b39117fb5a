"""The section "源头预防" of the staff petition page (registered in apps.py): the dispute a
petition came from, the major decisions it was raised about (against the risk foreseen) and the
policy matter it belongs to. Read through the user's prevention scope; one query when there is
nothing to show, nothing at all for a user without ``prevention_view``."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.extensions import present
from xinfang.petitions.models import Petition
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import DecisionLink, Dispute, PolicyMatterPetition


def prevention_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    if not user_can(user, Cap.PREVENTION_VIEW):
        return None
    if not any(present(petition, x) is not False for x in ("disputes", "decision_links", "policy")):
        return None  # none of them at all (the page's presence query): no scoped query either
    disputes = Dispute.objects.filter(organ_scope(user), petition_id=OuterRef("pk"))
    decisions = DecisionLink.objects.filter(
        organ_scope(user, "decision__organ"), petition_id=OuterRef("pk")
    )
    policy = PolicyMatterPetition.objects.filter(petition_id=OuterRef("pk"))
    flags = (
        Petition.objects.filter(pk=petition.pk)
        .values_list(Exists(disputes), Exists(decisions), Exists(policy))
        .first()
    )
    if not flags or not any(flags):
        return None
    has_disputes, has_decisions, has_policy = flags
    out: dict[str, Any] = {}
    if has_disputes:
        out["disputes"] = list(
            Dispute.objects.filter(organ_scope(user), petition_id=petition.pk).select_related(
                "organ"
            )
        )
    if has_decisions:
        out["decision_links"] = list(
            DecisionLink.objects.filter(
                organ_scope(user, "decision__organ"), petition_id=petition.pk
            ).select_related("decision", "risk")
        )
    if has_policy:
        out["policy"] = (
            PolicyMatterPetition.objects.filter(petition_id=petition.pk)
            .select_related("matter", "matter__organ")
            .first()
        )
    return out
