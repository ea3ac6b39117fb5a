"""PURE: which organ a step may send a petition to (transfer 转送, assignment 交办, the two
referrals 移送). The one rule behind both the organ picker (``selectors.targets`` offers exactly
the organs this allows) and the step's own check (``services.steps._validate_step`` refuses
whatever this refuses), so the service refuses what the picker hides (issue 12, item 10).

No Django: organs come in as ``OrganFacts`` (the few columns the rule reads). The selector's
database query is the same rule as a ``Q``; ``tests/test_target_rules.py`` checks the two agree
on every organ of a tree with every kind and level.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The steps that send a petition to another organ.
TRANSFER = "transfer"
ASSIGN = "assign"
REFER_LEGAL = "refer_legal"
REFER_DISCIPLINE = "refer_discipline"
SENDING_STEPS = (TRANSFER, ASSIGN, REFER_LEGAL, REFER_DISCIPLINE)

PETITION_OFFICE = "petition_office"

#: The kind of organ a referral must go to (Art. 22 items 4 and 5).
REFERRAL_KIND = {REFER_LEGAL: "political_legal", REFER_DISCIPLINE: "discipline"}
#: The steps that may hand a petition to an organ another installation serves (issue 20).
HANDOVER_STEPS = (TRANSFER, ASSIGN)

# GB/T 2260: a region's code begins with its province (2 digits), city (4) and county (6).
_REGION_PREFIX = {"national": 0, "province": 2, "city": 4, "county": 6, "township": 9}


@dataclass(frozen=True)
class OrganFacts:
    pk: int
    path: str  # materialised "/1/5/23/"
    kind: str
    level: str
    region_id: str
    is_active: bool = True
    # An organ another installation serves (``Organ.external``, issue 20), and whether an active
    # peer serves it now (``federation``: a peer switched off serves nothing).
    external: bool = False
    served: bool = False


def region_prefix(level: str, region_id: str) -> str:
    """The region-code prefix of everything in the region of an organ of ``level`` ("" for a
    national organ): an organ's level is its region's level."""
    return region_id[: _REGION_PREFIX.get(level, len(region_id))]


def subtree_path(organ: OrganFacts) -> str:
    return organ.path or f"/{organ.pk}/"


def in_subtree(organ: OrganFacts, top: OrganFacts) -> bool:
    """``organ`` is ``top`` or lies below it."""
    return organ.pk == top.pk or (organ.path or "").startswith(subtree_path(top))


def within(holder: OrganFacts, organ: OrganFacts) -> bool:
    """``organ`` lies in ``holder``'s jurisdiction: its own subtree, and for a petition office
    every organ of its region (属地管理、分级负责, Art. 22 items 1-3; Art. 23)."""
    if in_subtree(organ, holder):
        return True
    return holder.kind == PETITION_OFFICE and organ.region_id.startswith(
        region_prefix(holder.level, holder.region_id)
    )


#: Why a target is refused: code -> the message (translated by the caller).
SELF = "self"
INACTIVE = "inactive"
ACCUSED = "accused"
WRONG_KIND = "wrong_kind"
OUTSIDE = "outside"
UNSERVED = "unserved"


def target_refusals(
    *, action: str, holder: OrganFacts, to: OrganFacts, accused: OrganFacts | None
) -> list[str]:
    """The reasons ``to`` may not receive ``action`` from ``holder`` (empty: it may).

    - never the organ that holds the petition now;
    - never an organ no longer active;
    - never the accused organ or one below it (Art. 30 para 3);
    - a referral only to an organ of its kind (Art. 22 items 4-5), wherever it sits;
    - a transfer or assignment only within the holder's jurisdiction (``within``): a petition
      office to the organs of its region and below, any other organ down its own system
      (Art. 22 items 1-3, Art. 23). An upward target is never offered and never accepted;
    - an organ another installation serves only by a transfer or an assignment, and only while
      an active peer serves it (issue 20): the petition travels there as a message, and
      anything else would leave it with an organ no one here works for, with no clock running
      anywhere (Arts. 22, 23).
    """
    out: list[str] = []
    if to.pk == holder.pk:
        out.append(SELF)
    if not to.is_active:
        out.append(INACTIVE)
    if accused is not None and in_subtree(to, accused):
        out.append(ACCUSED)
    if action in REFERRAL_KIND:
        if to.kind != REFERRAL_KIND[action]:
            out.append(WRONG_KIND)
    elif not within(holder, to):
        out.append(OUTSIDE)
    if to.external and (action not in HANDOVER_STEPS or not to.served):
        out.append(UNSERVED)
    return out
