"""The organs a step may send a petition to: what the organ picker offers for transfer (转送),
assignment (交办) and the two referrals (issue 12, item 10). The step's own check
(``services.steps._validate_step``) still refuses anything else that is posted."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from xinfang.directory.models import Organ, OrganKind
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import organ_within, organs_within_q
from xinfang.petitions.workflow import Action

#: The most organs one picker lists (a province has a few thousand; the filter box narrows them).
TARGETS_MAX = 3000

#: The kind of organ a referral must go to (Art. 22 items 4 and 5).
REFERRAL_KIND = {
    Action.REFER_LEGAL: OrganKind.POLITICAL_LEGAL,
    Action.REFER_DISCIPLINE: OrganKind.DISCIPLINE,
}


def organ_targets(*, petition: Petition, actions: Iterable[Action]) -> dict[Action, list[Organ]]:
    """For each of ``actions``, the active organs it may send ``petition`` to, in tree order,
    with their regions (one query for all of them).

    - never the organ that holds it now;
    - never the accused organ or one below it (Art. 30 para 3);
    - a referral only to an organ of its kind (Art. 22 items 4-5), wherever cadre management
      puts it;
    - a transfer or assignment within the holder's jurisdiction: a petition office to the organs
      of its region and below (Art. 22 items 1-3, 属地管理、分级负责), any other organ only down
      its own system (Art. 23; the step refuses other targets too).
    """
    wanted = list(actions)
    if not wanted:
        return {}
    here = petition.current_organ
    qs = Organ.objects.filter(is_active=True).exclude(pk=here.pk)
    accused = petition.accused_organ if petition.accused_organ_id else None
    if accused is not None:
        qs = qs.exclude(Q(pk=accused.pk) | Q(path__startswith=accused.path or f"/{accused.pk}/"))
    kinds = {REFERRAL_KIND[a] for a in wanted if a in REFERRAL_KIND}
    q = organs_within_q(here, None) if any(a not in REFERRAL_KIND for a in wanted) else Q(pk=None)
    if kinds:
        q |= Q(kind__in=kinds)
    organs = list(qs.filter(q).select_related("region").order_by("path")[:TARGETS_MAX])
    return {
        a: [
            o
            for o in organs
            if (o.kind == REFERRAL_KIND[a] if a in REFERRAL_KIND else organ_within(here, o))
        ]
        for a in wanted
    }
