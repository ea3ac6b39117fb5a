"""The topics staff decided for the demo petitions."""

from __future__ import annotations

from xinfang.demo.states import _Plan
from xinfang.petitions.models import Petition

#: The demo departments' matters in the deployment's default topic tree (insight 0002).
DEPT_TOPIC = {
    "housing": "城乡建设",
    "hrss": "劳动和社会保障",
    "edu": "教育文体",
    "land": "国土资源",
    "env": "环境保护",
    "health": "卫生计生",
    "market": "商贸旅游",
    "transport": "交通运输",
    "court": "政法",
    "police": "政法",
    "discipline": "党务政务",
    "gov": "党务政务",
}


def _topic_decisions(plans: list[_Plan]) -> None:
    """The topic each registering clerk chose (no model yet at the demo's start), so that the
    topic model can be trained on the demo's own history (``xinfang demo`` does)."""
    from xinfang.insight.models import Topic, TopicDecision, TopicOutcome

    topics = {t.name: t for t in Topic.objects.filter(parent=None)}
    regs = dict(
        Petition.objects.filter(pk__in=[p.petition_id for p in plans if p.petition_id]).values_list(
            "pk", "registering_organ_id"
        )
    )
    rows = []
    for p in plans:
        topic = topics.get(DEPT_TOPIC.get(p.topic.dept, ""))
        if p.petition_id is None or topic is None or p.registered_at is None:
            continue
        rows.append(
            TopicDecision(
                petition_id=p.petition_id,
                topic=topic,
                outcome=TopicOutcome.MANUAL,
                decided_by_organ_id=regs.get(p.petition_id),
                decided_at=p.registered_at,
                at_intake=True,
            )
        )
    TopicDecision.objects.bulk_create(rows, batch_size=1000)
