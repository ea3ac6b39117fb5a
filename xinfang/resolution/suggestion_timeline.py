"""What the suggestions and mediations add to a petition's timeline on the staff petition page
(``petitions.extensions.timeline_add``): the study opened, each commendation or reward, each
mediation held (and, when a party refused to sign, that there was no agreement). The decision and
the agreement themselves are the petition's own ``reply`` and ``settle`` events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.extensions import TimelineItem, present
from xinfang.petitions.selectors import identity_restricted, user_may_see_identity
from xinfang.petitions.workflow import Category, State
from xinfang.resolution.selectors.suggestion import mediation_text

#: The states before handling begins (Arts. 29, 33: a study or a mediation needs the matter
#: accepted and in handling first).
_BEFORE_HANDLING = frozenset(
    {
        State.RECEIVED,
        State.REGISTERED,
        State.ROUTING,
        State.TRANSFERRED,
        State.ASSIGNED,
        State.OBJECTED,
        State.ACKNOWLEDGED,
        State.REDIRECTED,
        State.REFERRED_LEGAL,
        State.REFERRED_DISCIPLINE,
    }
)


def _at(d) -> datetime:  # type: ignore[no-untyped-def]
    return timezone.make_aware(datetime.combine(d, time(12)))


def suggestion_mediation_timeline(*, petition: Any, user: Any) -> Iterable[TimelineItem]:
    """Shown to a user who may read resolution records (the petition page's gate already let
    them see the petition); one query for the category the petition has, none otherwise."""
    if not user_can(user, Cap.RESOLUTION_VIEW):
        return []
    from xinfang.resolution.models import Mediation, Suggestion, SuggestionRecognition

    out: list[TimelineItem] = []
    if petition.state in _BEFORE_HANDLING:  # no study or mediation yet: no query
        return out
    if petition.category == Category.SUGGESTION:
        if present(petition, "suggestions") is False:
            return out  # none (the page's presence query)
        s = Suggestion.objects.filter(petition_id=petition.pk).select_related("organ").first()
        if s is None:
            return out
        url = reverse("resolution:suggestion", args=[s.pk])
        out.append(
            TimelineItem(
                at=s.created_at, label="建议立项研究", text=s.subject, organ=s.organ.name, url=url
            )
        )
        for r in SuggestionRecognition.objects.filter(suggestion=s):
            out.append(
                TimelineItem(
                    at=r.created_at,
                    label="建议表彰奖励",
                    text=f"{r.number} {r.description[:200]}",
                    organ=s.organ.name,
                    url=url,
                )
            )
    elif petition.category == Category.APPEAL and present(petition, "mediations") is not False:
        # a refusal's reason names the party who refused: masked as the parties are (Art. 46(5))
        hidden = identity_restricted(petition) and not user_may_see_identity(
            user=user, petition=petition
        )
        mediations = Mediation.objects.filter(petition_id=petition.pk).select_related("organ")
        for m in mediations.prefetch_related("signers") if hidden else mediations:
            reason = m.failed_reason
            if hidden and m.status == "failed":
                reason = mediation_text(m, reason, hidden=True)
            out.append(
                TimelineItem(
                    at=_at(m.held_on),
                    label=m.get_kind_display(),
                    text=f"{m.place}；{m.mediator}"
                    + (
                        gettext("；未达成协议：%(reason)s") % {"reason": reason}
                        if m.status == "failed"
                        else ""
                    ),
                    organ=m.organ.name,
                    url=reverse("resolution:mediation", args=[m.pk]),
                )
            )
    return out
