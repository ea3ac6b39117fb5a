"""The routing rules of the demo province (issue 20): for every region, accusations to its
discipline organ, 涉法涉诉 to its court, each department's topic to that department, and
whatever no other rule covers to the people's government of the place. Every category and
route in every region routes to exactly one organ (tests/test_demo_routing.py)."""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.demo.topics import DEPT_TOPIC
from xinfang.insight.models import Topic
from xinfang.routing.services import RuleInput, rule_save


def routing_seed(units: Iterable) -> int:  # type: ignore[type-arg]
    topics = {t.name: t for t in Topic.objects.filter(parent=None)}
    n = 0
    for unit in units:
        region = unit.region
        rows = [
            RuleInput(organ=unit.gov, region=region, note="兜底：本级人民政府"),
            RuleInput(organ=unit.discipline, region=region, category="accusation"),
            RuleInput(organ=unit.court, region=region, category="appeal", route=1, note="涉法涉诉"),
            RuleInput(
                organ=unit.police,
                region=region,
                category="appeal",
                route=1,
                keywords="报警 派出所 治安 刑事",
                note="公安机关办理的程序",
            ),
        ]
        for key, organ in unit.depts.items():
            topic = topics.get(DEPT_TOPIC.get(key, ""))
            if topic is None:
                continue
            for category in ("appeal", "suggestion"):
                rows.append(RuleInput(organ=organ, region=region, category=category, topic=topic))
        for data in rows:
            rule_save(actor=None, data=data)
            n += 1
    return n
