"""``{% petition_topic_panel d.petition %}``: the petition's topic on the petition page."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.insight.classify.selectors import (
    topic_choices,
    topic_decision_for,
    user_may_change_topic,
)
from xinfang.insight.models import topic_label as _topic_label

register = template.Library()


@register.filter
def topic_label(value: Any) -> Any:
    """``{{ suggestion.label|topic_label }}``: a topic name in the reader's language."""
    return _topic_label(value) if isinstance(value, str) and value else value


@register.inclusion_tag("insight/_petition_topic_panel.html", takes_context=True)
def petition_topic_panel(context: template.Context, petition: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    decision = topic_decision_for(petition=petition)
    may_change = user is not None and user_may_change_topic(user=user, petition=petition)
    errors = context.get("errors") or {}
    return {
        "petition": petition,
        "decision": decision,
        "may_change": may_change,
        "topics": topic_choices(include=decision.topic if decision else None) if may_change else [],
        "errors": errors if errors.get("action") == "topic" else {},
        "csrf_token": context.get("csrf_token"),
    }
