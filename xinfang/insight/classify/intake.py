"""The topic part of the intake desk (called by ``xinfang.web.intake``): what the fragment
shows while the clerk types, and recording the clerk's decision with the registration."""

from __future__ import annotations

from typing import Any

from xinfang.directory.models import User
from xinfang.insight.classify.classifier import Suggestion
from xinfang.insight.classify.forms import shown_suggestion, topic_from_post
from xinfang.insight.classify.selectors import organ_hints_for, topic_choices, topic_for_label
from xinfang.insight.classify.services import topic_decide
from xinfang.insight.models import TopicDecision
from xinfang.petitions.models import Petition


def intake_topic_context() -> dict[str, Any]:
    """Context of the desk's topic select (``insight/_intake_topic_field.html``)."""
    return {"topics": topic_choices()}


def intake_hint_context(
    *, user: User, query: Any, suggestion: tuple[Suggestion, str] | None
) -> dict[str, Any]:
    """Context of ``insight/_intake_suggestion.html``: the suggested topic and the organs that
    handled such matters in the region. The topic the clerk already chose wins over the
    suggestion for the organ hint."""
    suggested = topic_for_label(label=suggestion[0].label) if suggestion else None
    try:
        chosen = topic_from_post(query)
    except Exception:
        chosen = None
    basis = chosen or suggested
    return {
        "suggested_topic": suggested,
        "hint_topic": basis,
        "organ_hints": organ_hints_for(
            user=user, topic=basis, region_code=query.get("region_code", "")
        ),
    }


def intake_topic_record(*, petition: Petition, post: Any, actor: User) -> TopicDecision | None:
    """Record the topic the clerk chose at registration (nothing chosen: nothing recorded).
    Call inside the registration's transaction, so both are saved or neither."""
    topic = topic_from_post(post)
    if topic is None:
        return None
    return topic_decide(
        petition=petition,
        topic=topic,
        actor=actor,
        suggestion=shown_suggestion(post),
        at_intake=True,
    )
