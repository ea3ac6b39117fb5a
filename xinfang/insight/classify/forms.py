"""Parsing of the topic fields (the intake desk's select and the suggestion it showed)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.insight.classify.selectors import topic_get
from xinfang.insight.classify.services import ShownSuggestion
from xinfang.insight.models import Topic

#: Hidden fields of the intake form that carry the suggestion the desk showed (filled by
#: static/xinfang/intake.js from the fragment's data attributes).
SUGGESTION_FIELDS = (
    "topic_sugg_label",
    "topic_sugg_confidence",
    "topic_sugg_version",
    "topic_sugg_terms",
)


def shown_suggestion(post: Any) -> ShownSuggestion | None:
    label = (post.get("topic_sugg_label") or "").strip()
    if not label:
        return None
    try:
        confidence: float | None = float(post.get("topic_sugg_confidence") or "")
    except ValueError:
        confidence = None
    if confidence is not None and not 0.0 <= confidence <= 1.0:
        confidence = None
    terms = tuple(t for t in (post.get("topic_sugg_terms") or "").split("、") if t.strip())
    return ShownSuggestion(
        label=label[:50],
        confidence=confidence,
        model_version=(post.get("topic_sugg_version") or "").strip()[:64],
        top_terms=tuple(t.strip()[:20] for t in terms[:10]),
    )


def topic_from_post(post: Any, name: str = "topic") -> Topic | None:
    """The chosen topic, None when nothing was chosen; an unknown id is an error."""
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    topic = topic_get(topic_id=raw)
    if topic is None:
        raise ApplicationError(
            gettext("请选择事项分类"), fields={name: [gettext("所选事项分类不存在")]}
        )
    return topic
