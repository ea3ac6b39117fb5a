"""Reading routing rules: the rows in a user's scope, the matcher's input, the desk's
suggestion and the rule check (gaps and conflicts)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from xinfang.directory.models import Organ, Region, User
from xinfang.insight.models import Topic
from xinfang.petitions.selectors.access import region_prefix
from xinfang.petitions.workflow import Category, Route
from xinfang.routing.access import rule_scope, top_level
from xinfang.routing.models import RoutingRule
from xinfang.routing.rules import CheckRow, Decision, Matter, Rule, route_matter, rules_check

#: The cells the rule check covers: each category, and 申诉求决 by each Art. 31 route.
CHECK_CELLS: tuple[tuple[str, int | None], ...] = (
    (Category.SUGGESTION.value, None),
    (Category.ACCUSATION.value, None),
    *((Category.APPEAL.value, r.value) for r in Route),
)


def rule_list_for_user(*, user: User, active: bool | None = True) -> QuerySet[RoutingRule]:
    qs = RoutingRule.objects.filter(rule_scope(user)).select_related("organ", "region", "topic")
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("region_id", "category", "route", "id")


def _as_rule(row: RoutingRule) -> Rule:
    return Rule(
        id=row.pk,
        organ_id=row.organ_id,
        organ_kind=row.organ.kind,
        organ_label=row.organ.name,
        region_code=row.region_id or "",
        category=row.category,
        route=row.route,
        topic_id=row.topic_id,
        keywords=row.keyword_list(),
        labels=tuple(
            (k, v)
            for k, v in (
                ("region", row.region.name if row.region_id else ""),
                ("category", str(row.get_category_display()) if row.category else ""),
                ("route", str(row.get_route_display()) if row.route else ""),
                ("topic", row.topic.name if row.topic_id else ""),
            )
            if v
        ),
    )


def rules_active(rows: Iterable[RoutingRule] | None = None) -> list[Rule]:
    """Every active rule as the matcher's rows (a deployment has hundreds, not millions)."""
    if rows is None:
        rows = RoutingRule.objects.filter(is_active=True, organ__is_active=True).select_related(
            "organ", "region", "topic"
        )
    return [_as_rule(r) for r in rows]


def _chain(code: str, parents: dict[str, str | None]) -> tuple[str, ...]:
    """``code`` and the codes of each region above it, nearest first ("" when unknown)."""
    chain: list[str] = []
    current: str | None = code
    while current and current in parents and current not in chain:
        chain.append(current)
        current = parents[current]
    return tuple(chain)


def region_chain(code: str) -> tuple[str, ...]:
    return _chain(code, dict(Region.objects.values_list("code", "parent_id")))


def topic_chain(topic: Topic | None) -> frozenset[int]:
    ids: set[int] = set()
    while topic is not None and topic.pk not in ids:
        ids.add(topic.pk)
        topic = topic.parent
    return frozenset(ids)


def routing_suggest(
    *,
    region_code: str,
    category: str = "",
    route: int | None = None,
    topic: Topic | None = None,
    text: str = "",
    accused_organ_ids: Iterable[int] = (),
) -> tuple[Decision, Organ | None]:
    """The desk's suggestion for a matter: the decision (with the rule and the reasons) and the
    organ it names."""
    chain = region_chain(region_code) if region_code else ()
    if not chain:
        return Decision(organ_id=None, rule=None, action=None, reasons=()), None
    matter = Matter(
        region_chain=chain,
        category=category,
        route=route,
        topic_ids=topic_chain(topic),
        text=text,
        accused_organ_ids=frozenset(accused_organ_ids),
    )
    decision = route_matter(matter, rules_active())
    organ = Organ.objects.filter(pk=decision.organ_id).first() if decision.organ_id else None
    return decision, organ


def rules_check_for_user(*, user: User) -> list[CheckRow]:
    """The rule check over every region of the user's scope (the whole installation for an
    administrator of a top organ)."""
    organ = getattr(user, "organ", None)
    if organ is None:
        return []
    prefix = "" if top_level(organ) else region_prefix(organ)
    parents = dict(Region.objects.values_list("code", "parent_id"))
    chains = [_chain(code, parents) for code in sorted(c for c in parents if c.startswith(prefix))]
    return rules_check(regions=chains, cells=CHECK_CELLS, rules=rules_active())
