"""``{% calendar_banner %}``: the provisional years an administrator should confirm (ADR 0012);
``{{ user|may_confirm_calendar }}``: whether to link the calendar page.

Shown on the admin's index and on the staff pages of users who may administer the system; for
anyone else it renders nothing and reads nothing."""

from __future__ import annotations

from django import template

from xinfang.deadlines.selectors import calendar_years_to_confirm
from xinfang.directory.permissions import Cap, user_can

register = template.Library()


@register.inclusion_tag("deadlines/_banner.html", takes_context=True)
def calendar_banner(context: template.Context) -> dict:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user_can(user, Cap.ADMIN):
        return {"years": []}
    return {"years": calendar_years_to_confirm()}


@register.filter
def may_confirm_calendar(user: object) -> bool:
    """Whether ``user`` administers the system (and so confirms the holiday calendar)."""
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, Cap.ADMIN)  # type: ignore[arg-type]
