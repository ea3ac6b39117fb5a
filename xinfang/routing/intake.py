"""The routing part of the intake desk's fragment: the organ the rules name for what the clerk
has typed so far, the rule that named it and why (shown beside the text-insight hint). A gap
or a conflict says so: the clerk chooses, the administrators fix the table."""

from __future__ import annotations

from typing import Any

from xinfang.core.inputs import is_digits
from xinfang.insight.models import Topic
from xinfang.routing.selectors import routing_suggest

ACTION_LABELS = {
    "transfer": "转送",
    "refer_legal": "移送政法机关",
    "refer_discipline": "移送纪检监察机关",
}


def _int(value: Any) -> int | None:
    value = str(value or "").strip()
    return int(value) if is_digits(value) and len(value) <= 12 else None


def intake_routing_context(*, query: Any) -> dict[str, Any]:
    region_code = str(query.get("region_code", "") or "")[:12]
    if not is_digits(region_code):
        return {}
    topic_id = _int(query.get("topic"))
    accused = _int(query.get("accused_organ_id"))
    decision, organ = routing_suggest(
        region_code=region_code,
        category=str(query.get("category", "") or "")[:12],
        route=_int(query.get("route")),
        topic=Topic.objects.filter(pk=topic_id).first() if topic_id else None,
        text=f"{query.get('title', '')} {str(query.get('content', ''))[:2000]}",
        accused_organ_ids=[accused] if accused else [],
    )
    if not decision.reasons:
        return {}
    return {
        "routing": decision,
        "routing_organ": organ,
        "routing_action": ACTION_LABELS.get(decision.action or "", ""),
    }
