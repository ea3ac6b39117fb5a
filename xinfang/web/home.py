"""Where a signed-in user lands: the first page of the staff menu their role may open, in the
menu's order (``web/base.html``), so that the landing page is always one of their menu
(walker report item 13: an analyst or an administrator landed on an empty 待办 that read as
"nothing to do"). The same filters as the menu decide."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from xinfang.deadlines.templatetags.xinfang_calendar import may_confirm_calendar
from xinfang.imports.templatetags.imports_menu import may_import
from xinfang.prevention.templatetags.prevention_menu import may_prevent
from xinfang.reception.templatetags.reception_menu import may_receive
from xinfang.resolution.templatetags.resolution_menu import may_resolve
from xinfang.routing.templatetags.routing_tags import may_route
from xinfang.web.templatetags.xinfang_menu import may_open


def _item(name: str) -> Callable[[object], bool]:
    return lambda user: may_open(user, name)


#: The staff menu in its order: (may the user open it, the page).
MENU_ORDER: tuple[tuple[Callable[[object], bool], str], ...] = (
    (_item("worklist"), "web:worklist"),
    (_item("intake"), "web:intake_default"),
    (_item("statistics"), "analytics:summary"),
    (_item("rates"), "analytics:rates"),
    (_item("trends"), "analytics:trends"),
    (_item("report"), "analytics:report"),
    (_item("hot"), "matters:hot"),
    (_item("search"), "web:search"),
    (may_prevent, "prevention:ledger"),
    (may_receive, "reception:calendar"),
    (may_resolve, "resolution:notices"),
    (may_route, "routing:rules"),
    (may_import, "imports:start"),
    (_item("approvals"), "account:approvals"),
    (_item("exchange"), "federation:peers"),
    (may_confirm_calendar, "deadlines:calendar"),
)


def home_url(user: object) -> str | None:
    """The first menu page the user may open; None when the role opens none."""
    for may, name in MENU_ORDER:
        if may(user):
            return reverse(name)
    return None
