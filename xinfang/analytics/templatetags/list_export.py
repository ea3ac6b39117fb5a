"""``{% export_button "kind" %}``: the "导出台账" button of a staff list (issue 16), shown only to
the roles the permission table lets read the list and export (``export_kinds.Kind.caps``). It
posts the page's filters (its query string, or the ``query`` the page gives, less the cursor) as
hidden fields ``f:<name>`` (never a query string: a name or phone searched for is not written
as one, even in a form) with a one-time token to ``analytics:export_new``."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from xinfang.core.once import token_new

register = template.Library()


@register.simple_tag(takes_context=True)
def export_button(context: template.Context, kind: str, query: Any = None) -> str:
    """``query``: the filters when the page does not keep them in its URL (the search page
    posts its form; a fund's ledger names the fund in its path): a dict or (key, value) pairs."""
    from xinfang.analytics.export_kinds import kind_get

    request = context.get("request")
    user = getattr(request, "user", None)
    k = kind_get(kind)
    if request is None or user is None or not k.may(user):
        return ""
    if query is None:
        pairs = [(a, b) for a, vs in request.GET.lists() for b in vs]
    else:
        pairs = list(query.items() if hasattr(query, "items") else query)
    return render_to_string("analytics/_export_button.html", {
        "kind": k.name, "pairs": [(a, b) for a, b in pairs if a != "cursor"],
        "once": token_new(), "csrf": get_token(request),
    }, request=None)  # fmt: skip
