"""``{{ user|may_receive }}``: whether the staff menu links the reception pages (only for the
roles the permission table lets open them)."""

from __future__ import annotations

from django import template

from xinfang.directory.permissions import Cap, user_can

register = template.Library()


@register.filter
def may_receive(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, Cap.RECEPTION_VIEW)  # type: ignore[arg-type]


@register.filter
def may_manage_reception(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, Cap.RECEPTION_MANAGE)  # type: ignore[arg-type]
