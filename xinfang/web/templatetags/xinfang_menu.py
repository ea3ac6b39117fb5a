"""``{{ user|may_open:"intake" }}``: whether the staff menu shows an item. Read from the one
permission table (``directory.permissions``), the same capabilities the pages check, so that no
menu item leads to 无权访问 (issue 12, item 6)."""

from __future__ import annotations

from django import template

from xinfang.directory.permissions import Cap, user_administers_installation, user_can
from xinfang.petitions.workflow import Action

register = template.Library()

#: Menu item -> the capability its page requires.
MENU: dict[str, str] = {
    "worklist": Cap.VIEW_PETITIONS,
    "intake": Action.REGISTER,
    "statistics": Cap.VIEW_DEIDENTIFIED,
    "rates": Cap.VIEW_DEIDENTIFIED,
    "trends": Cap.VIEW_DEIDENTIFIED,
    "report": Cap.VIEW_DEIDENTIFIED,
    "hot": Cap.VIEW_HOT_ISSUES,
    "search": Cap.VIEW_PETITIONS,
    "approvals": Cap.ADMIN,  # the two-person approvals of administrators (issue 11)
}
#: Menu items for the installation-wide administrators only (province level or higher).
INSTALLATION_MENU = frozenset({"exchange"})  # peers of the federation, Open311 keys (issue 20)


@register.filter
def may_open(user: object, item: str) -> bool:
    if item in INSTALLATION_MENU:
        return bool(getattr(user, "is_authenticated", False)) and user_administers_installation(
            user  # type: ignore[arg-type]
        )
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, MENU[item])  # type: ignore[arg-type]
