"""The organs a step may send a petition to: what the organ picker offers for transfer (转送),
assignment (交办) and the two referrals (issue 12, item 10). The rule is
``petitions.target_rules`` (pure); ``target_q`` is the same rule as a query, and the step's own
check (``services.steps._validate_step``) refuses, by the same rule, anything else posted.

A province has thousands of organs: a page lists a step's organs whole only up to
``PICKER_FULL``; past that it lists the first ``PICKER_FIRST`` in tree order, says so, and the
picker searches the server (``organ_target_search``: by name and region code, or level by level
down the tree) instead of cutting the list silently."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from xinfang.directory.models import Organ
from xinfang.directory.selectors import SEARCH_LIMIT, TOP_FIRST, SearchPage, organ_search
from xinfang.petitions import extensions, target_rules
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import organ_facts, organs_within_q
from xinfang.petitions.workflow import Action

#: A step's organs are listed whole on the page up to this many (the filter box narrows them).
PICKER_FULL = 400
#: Past ``PICKER_FULL`` the page lists this many, says how many more there are, and searches.
PICKER_FIRST = 100
#: Kept for the pickers that list organs outside a petition (routing rules, joint handling).
TARGETS_MAX = 3000

#: The kind of organ a referral must go to (Art. 22 items 4 and 5).
REFERRAL_KIND = {Action(a): k for a, k in target_rules.REFERRAL_KIND.items()}
SENDING = tuple(Action(a) for a in target_rules.SENDING_STEPS)


def target_q(*, petition: Petition, action: Action) -> Q:
    """``target_rules.target_refusals`` as a query over ``Organ``: the organs ``action`` may
    send ``petition`` to (the rule's docstring says why each condition is there)."""
    here = petition.current_organ
    q = Q(is_active=True) & ~Q(pk=here.pk)
    accused = petition.accused_organ if petition.accused_organ_id else None
    if accused is not None:
        q &= ~(
            Q(pk=accused.pk) | Q(path__startswith=target_rules.subtree_path(organ_facts(accused)))
        )
    if action in REFERRAL_KIND:
        return q & Q(kind=REFERRAL_KIND[action], external=False)
    # an organ another installation serves: only while an active peer serves it (issue 20)
    return q & organs_within_q(here, None) & (Q(external=False) | extensions.external_served_q())


def _organs(q: Q) -> QuerySet[Organ]:
    return Organ.objects.filter(q).select_related("region").order_by("path")


@dataclass
class TargetList:
    """One step's organs for a page: ``organs`` (all of them, or the first ``PICKER_FIRST``),
    ``total`` and whether the list is cut (then the page says so and the picker searches)."""

    organs: list[Organ]
    total: int
    cut: bool = False
    query: str = ""
    more: int = 0  # of a search: how many matched beyond those listed


def organ_targets(
    *,
    petition: Petition,
    actions: Iterable[Action],
    keep: dict[Action, str] | None = None,
    search: dict[Action, str] | None = None,
) -> dict[Action, TargetList]:
    """For each of ``actions`` (steps that send to an organ), the organs it may send
    ``petition`` to, in tree order, with their regions. ``keep``: an organ id chosen in a form
    shown again (listed even past the cut); ``search``: a step's search text (its list is then
    the search's answer: the form without JavaScript searches this way)."""
    wanted = [a for a in actions if a in SENDING]
    if not wanted:
        return {}
    keep = keep or {}
    search = search or {}
    qs = {a: target_q(petition=petition, action=a) for a in wanted}
    if not any(v.strip() for v in search.values()):
        # the usual case, one query: every step's organs together fit on the page whole
        union = Q(pk__in=[])
        for a in wanted:
            union |= qs[a]
        organs = list(_organs(union)[: PICKER_FULL + 1])
        if len(organs) <= PICKER_FULL:
            return _split(petition, wanted, organs)
    counts = Organ.objects.aggregate(**{a.value: Count("pk", filter=qs[a]) for a in wanted})
    out: dict[Action, TargetList] = {}
    for a in wanted:
        if search.get(a, "").strip():
            page = organ_target_search(petition=petition, action=a, query=search[a])
            out[a] = TargetList(
                organs=page.organs, total=page.total, cut=True, query=search[a], more=page.more
            )
            continue
        total = counts[a.value]
        if total <= PICKER_FULL:
            out[a] = TargetList(organs=list(_organs(qs[a])), total=total)
            continue
        organs = list(_organs(qs[a]).order_by(*TOP_FIRST)[:PICKER_FIRST])
        chosen = _int(keep.get(a))
        if chosen and all(o.pk != chosen for o in organs):
            organs += list(_organs(qs[a] & Q(pk=chosen)))
        out[a] = TargetList(organs=organs, total=total, cut=True)
    return out


def _split(petition: Petition, wanted: list[Action], organs: list[Organ]) -> dict:
    """Each step's organs out of all of them, by the rule itself."""
    holder = organ_facts(petition.current_organ)
    accused = organ_facts(petition.accused_organ) if petition.accused_organ_id else None
    # an external organ among them came through a handover step's query: an active peer serves it
    facts = [(o, organ_facts(o, served=o.external)) for o in organs]
    out = {}
    for a in wanted:
        mine = [
            o
            for o, f in facts
            if not target_rules.target_refusals(
                action=a.value, holder=holder, to=f, accused=accused
            )
        ]
        out[a] = TargetList(organs=mine, total=len(mine))
    return out


def _int(v: object) -> int | None:
    try:
        return int(str(v))
    except (TypeError, ValueError):
        return None


def organ_target_search(
    *,
    petition: Petition,
    action: Action,
    query: str = "",
    parent_id: int | None = None,
    limit: int = SEARCH_LIMIT,
) -> SearchPage:
    """The organs ``action`` may send ``petition`` to that match ``query``: each word of it a
    part of the name, or, all digits, the beginning of the region code (GB/T 2260). With a
    ``parent_id``: that organ's children among them (one level of the tree). With neither: the
    top of the step's tree (the organs whose parent it may not send to). Each organ carries
    ``child_count``, its children among the step's organs, so a picker can walk down."""
    return organ_search(
        allowed=target_q(petition=petition, action=action),
        query=query,
        parent_id=parent_id,
        limit=limit,
    )
