"""Writing routing rules: each creation, change and withdrawal is audited with the values
before and after (design.md habit 4: policy in data, audited rows that admins edit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.directory.models import Organ, Region, User
from xinfang.insight.models import Topic
from xinfang.routing.access import organ_in_scope, region_in_scope, require_manage, rule_scope
from xinfang.routing.models import RoutingRule

KEYWORDS_MAX = 20  # words in one rule


@dataclass(frozen=True)
class RuleInput:
    organ: Organ
    region: Region | None = None
    category: str = ""
    route: int | None = None
    topic: Topic | None = None
    keywords: str = ""
    note: str = ""


def _snapshot(rule: RoutingRule) -> dict[str, Any]:
    return {
        "region": rule.region_id or "",
        "category": rule.category,
        "route": rule.route,
        "topic": rule.topic_id,
        "keywords": rule.keywords,
        "organ": rule.organ_id,
        "note": rule.note,
        "is_active": rule.is_active,
    }


def _check(actor: User | None, data: RuleInput) -> None:
    """What a rule must satisfy; an administrator also stays within their own regions and
    organs (``actor`` None: the command line or the demo, which set up the whole table)."""
    fields: dict[str, list[str]] = {}
    if actor is not None and not region_in_scope(actor, data.region):
        fields["region"] = [gettext("只能为本机关所在地区及其下级地区制定规则")]
    if not data.organ.is_active:
        fields["organ"] = [gettext("该机关已停用")]
    elif actor is not None and not organ_in_scope(actor, data.organ):
        fields["organ"] = [gettext("只能分流到本辖区的机关")]
    if data.route is not None and data.category not in ("", "appeal"):
        fields["route"] = [gettext("第三十一条途径只适用于申诉求决类")]
    words = RoutingRule(keywords=data.keywords).keyword_list()
    if len(words) > KEYWORDS_MAX:
        fields["keywords"] = [gettext("关键词最多 %(n)d 个") % {"n": KEYWORDS_MAX}]
    if fields:
        raise ApplicationError(gettext("分流规则有误，请修改后再保存"), fields=fields)


def rule_get_for_edit(*, actor: User, rule_id: int) -> RoutingRule:
    require_manage(actor)
    rule = RoutingRule.objects.filter(rule_scope(actor), pk=rule_id).first()
    if rule is None:
        raise NotFound(gettext("没有这条分流规则"))
    return rule


@transaction.atomic
def rule_save(
    *, actor: User | None, data: RuleInput, rule_id: int | None = None, at: datetime | None = None
) -> RoutingRule:
    """Create a rule (``rule_id`` None) or change one in the actor's scope. ``actor`` None
    (the command line, the demo) may create rules anywhere; the audit record says so."""
    if actor is not None:
        require_manage(actor)
    elif rule_id is not None:
        raise ApplicationError(gettext("只有系统管理员可以修改分流规则"), status=403)
    _check(actor, data)
    at = at or clock.now()
    if rule_id is None:
        rule = RoutingRule(created_by=actor, created_at=at)
        before: dict[str, Any] = {}
    else:
        rule = rule_get_for_edit(actor=actor, rule_id=rule_id)
        rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        before = _snapshot(rule)
    rule.region = data.region
    rule.category = data.category
    rule.route = data.route
    rule.topic = data.topic
    rule.keywords = " ".join(RoutingRule(keywords=data.keywords).keyword_list())
    rule.organ = data.organ
    rule.note = data.note
    rule.updated_at = at  # a withdrawn rule stays withdrawn: restoring it is its own step
    rule.save()
    audit_record(
        kind="routing.rule_create" if rule_id is None else "routing.rule_change",
        actor=actor,
        object_type="routing_rule",
        object_id=rule.pk,
        data={"before": before, "after": _snapshot(rule)},
        at=at,
    )
    return rule


def _active_set(
    *, actor: User, rule_id: int, active: bool, kind: str, at: datetime | None
) -> RoutingRule:
    """Withdraw or restore a rule in the actor's scope, audited; a repeat changes nothing."""
    rule = rule_get_for_edit(actor=actor, rule_id=rule_id)
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active == active:
        return rule
    if active:  # what was allowed when it was made must still be allowed
        _check(
            actor,
            RuleInput(
                organ=rule.organ,
                region=rule.region,
                route=rule.route,
                category=rule.category,
                keywords=rule.keywords,
            ),
        )
    at = at or clock.now()
    before = _snapshot(rule)
    rule.is_active = active
    rule.updated_at = at
    rule.save(update_fields=["is_active", "updated_at"])
    audit_record(
        kind=kind,
        actor=actor,
        object_type="routing_rule",
        object_id=rule.pk,
        data={"before": before, "after": _snapshot(rule)},
        at=at,
    )
    return rule


@transaction.atomic
def rule_restore(*, actor: User, rule_id: int, at: datetime | None = None) -> RoutingRule:
    """Put a withdrawn rule back in force (the undo of ``rule_withdraw``), audited."""
    return _active_set(
        actor=actor, rule_id=rule_id, active=True, kind="routing.rule_restore", at=at
    )


@transaction.atomic
def rule_withdraw(*, actor: User, rule_id: int, at: datetime | None = None) -> RoutingRule:
    """Withdraw a rule (kept, inactive: what routed a petition stays readable)."""
    return _active_set(
        actor=actor, rule_id=rule_id, active=False, kind="routing.rule_withdraw", at=at
    )
