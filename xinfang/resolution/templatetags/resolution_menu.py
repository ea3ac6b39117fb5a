"""``{{ user|may_resolve }}``: whether the staff menu links the supervision pages (only for the
roles the permission table lets open them)."""

from __future__ import annotations

from django import template

from xinfang.directory.permissions import Cap, user_can

register = template.Library()


@register.filter
def may_resolve(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, Cap.RESOLUTION_VIEW)  # type: ignore[arg-type]
