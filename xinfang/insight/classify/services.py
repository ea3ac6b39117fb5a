"""Writes of the insight app: a petition's topic as a person decides it (issue 5).

The model only suggests; what a person chose is recorded with what was suggested to them, so
the deployment can train on its own decisions and measure how often the suggestion is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.insight.models import Topic, TopicDecision, TopicOutcome
from xinfang.petitions.models import Petition


@dataclass(frozen=True)
class ShownSuggestion:
    """The category suggestion the person saw when deciding (as the page showed it)."""

    label: str
    confidence: float | None = None
    model_version: str = ""
    top_terms: tuple[str, ...] = ()


def _outcome(topic: Topic, suggested_label: str) -> str:
    if not suggested_label:
        return TopicOutcome.MANUAL
    if suggested_label in (topic.name, topic.full_name):
        return TopicOutcome.CONFIRMED
    return TopicOutcome.CHANGED


@transaction.atomic
def topic_decide(
    *,
    petition: Petition,
    topic: Topic,
    actor: User,
    suggestion: ShownSuggestion | None = None,
    at_intake: bool = False,
    at: datetime | None = None,
) -> TopicDecision:
    """Record ``topic`` as the petition's topic, decided by ``actor``.

    At intake ``suggestion`` is what the desk showed (None when it showed nothing). A later
    change (by the handling organ) passes no suggestion: the one shown at intake is kept, and
    the outcome says whether the topic now agrees with it. Writes an audit record."""
    if not topic.is_active:
        raise ApplicationError(
            gettext("该事项分类已停用，请选择其他分类"),
            fields={"topic": [gettext("该事项分类已停用")]},
        )
    at = at or clock.now()
    organ_id = getattr(actor, "organ_id", None)
    existing = TopicDecision.objects.select_for_update().filter(petition=petition).first()
    before = existing.topic_id if existing else None
    if existing is None:
        s = suggestion or ShownSuggestion(label="")
        decision = TopicDecision(
            petition=petition,
            suggested_label=s.label[:50],
            confidence=s.confidence,
            model_version=s.model_version[:64],
            top_terms=list(s.top_terms)[:10],
            at_intake=at_intake,
        )
    else:
        decision = existing
        decision.at_intake = at_intake
        if suggestion is not None:
            decision.suggested_label = suggestion.label[:50]
            decision.confidence = suggestion.confidence
            decision.model_version = suggestion.model_version[:64]
            decision.top_terms = list(suggestion.top_terms)[:10]
    decision.topic = topic
    decision.outcome = _outcome(topic, decision.suggested_label)
    decision.decided_by = actor
    decision.decided_by_organ_id = organ_id
    decision.decided_at = at
    decision.save()
    audit_record(
        kind="petition.topic",
        actor=actor,
        object_type="petition",
        object_id=petition.pk,
        data={
            "topic_id": topic.pk,
            "from_topic_id": before,
            "outcome": decision.outcome,
            "suggested": decision.suggested_label,
            "confidence": None if decision.confidence is None else round(decision.confidence, 4),
            "model_version": decision.model_version,
        },
        at=at,
    )
    return decision
