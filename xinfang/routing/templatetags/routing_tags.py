"""``{{ user|may_route }}``: whether the staff menu shows the routing rules (the same check as
the pages, ``routing.access.may_manage``); ``{{ mapping|get_item:key }}`` for the check table."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.routing.access import may_manage

register = template.Library()


@register.filter
def may_route(user: Any) -> bool:
    return may_manage(user) and getattr(user, "organ", None) is not None


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
