"""Reading the register of draft decisions and their assessments (the user's scope only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.petitions.selectors import (
    petition_queryset_for_organ_hints,
    petition_queryset_for_user,
)
from xinfang.prevention import rules
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import Decision, DecisionLink, RiskPoint


def decisions_for_user(*, user: User, status: str = "") -> QuerySet[Decision]:
    """The decisions in the user's scope, each with how many petitions and disputes were raised
    later about it that the user may be told of: a petition the user may not see counts unless
    it is an accusation or confidential (whose existence the accused organ must not learn,
    Art. 30 para 3), as the policy matters count theirs."""
    qs = Decision.objects.filter(organ_scope(user)).select_related("organ")
    if status:
        qs = qs.filter(status=status)
    # EXISTS per link, not links__petition IN (...): SQLite would read every petition first
    hinted = petition_queryset_for_organ_hints(user=user).filter(pk=OuterRef("links__petition"))
    told = Q(links__petition__isnull=True) | Exists(hinted)
    return qs.annotate(link_count=Count("links", filter=told, distinct=True)).order_by(
        "-registered_at", "-id"
    )


def decision_get_for_user(*, user: User, decision_id: int) -> Decision:
    d = (
        Decision.objects.filter(organ_scope(user), pk=decision_id)
        .select_related("organ", "registered_by", "concluded_by")
        .first()
    )
    if d is None:
        raise NotFound()
    return d


@dataclass(frozen=True)
class RiskRow:
    risk: RiskPoint
    level: str  # rules.Level value
    links: list[DecisionLink]  # petitions and disputes raised later against this risk


@dataclass(frozen=True)
class Assessment:
    decision: Decision
    works: list
    risks: list[RiskRow]
    level: str | None  # the decision's level: that of its highest risk point
    unforeseen: list[DecisionLink]  # raised later about a risk no point foresaw

    @property
    def later_count(self) -> int:
        return len(self.unforeseen) + sum(len(r.links) for r in self.risks)


def decision_assessment(*, decision: Decision, user: User) -> Assessment:
    """Everything the page and the DOCX report show: the work, the risks with their level, and
    the petitions and disputes raised later, against the risk foreseen or none. A linked
    petition the user may not see is counted but not named (``link.shown`` False), unless it is
    an accusation or confidential: then it is not there at all (Art. 30 para 3)."""
    links = list(
        decision.links.select_related("petition", "dispute", "dispute__organ").order_by("id")
    )
    petition_ids = [x.petition_id for x in links if x.petition_id]
    if petition_ids:  # an accusation or a confidential petition the user may not see: untold
        told = set(
            petition_queryset_for_organ_hints(user=user)
            .filter(pk__in=petition_ids)
            .values_list("pk", flat=True)
        )
        links = [x for x in links if x.petition_id is None or x.petition_id in told]
        petition_ids = [x.petition_id for x in links if x.petition_id]
    visible = (
        set(
            petition_queryset_for_user(user=user)
            .filter(pk__in=petition_ids)
            .values_list("pk", flat=True)
        )
        if petition_ids
        else set()
    )
    for x in links:
        x.shown = x.petition_id is None or x.petition_id in visible  # type: ignore[attr-defined]
    risks = [
        RiskRow(
            risk=r,
            level=rules.risk_level(r.likelihood, r.impact).value,
            links=[x for x in links if x.risk_id == r.pk],
        )
        for r in decision.risks.all()
    ]
    level = rules.decision_level((r.risk.likelihood, r.risk.impact) for r in risks)
    return Assessment(
        decision=decision,
        works=list(decision.works.all()),
        risks=risks,
        level=level.value if level else None,
        unforeseen=[x for x in links if x.risk_id is None],
    )
