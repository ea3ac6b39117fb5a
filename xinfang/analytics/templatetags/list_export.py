"""``{% export_button "kind" %}``: the "导出台账" button of a staff list (issue 16), shown only to
the roles the permission table lets read the list and export (``export_kinds.Kind.caps``). It
posts the page's filters (its query string, less the cursor) with a one-time token to
``analytics:export_new``."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from xinfang.core.once import token_new

register = template.Library()


@register.simple_tag(takes_context=True)
def export_button(context: template.Context, kind: str) -> str:
    from xinfang.analytics.export_kinds import kind_get

    request = context.get("request")
    user = getattr(request, "user", None)
    k = kind_get(kind)
    if request is None or user is None or not k.may(user):
        return ""
    query = request.GET.copy()
    query.pop("cursor", None)
    return render_to_string("analytics/_export_button.html", {
        "kind": k.name, "query": query.urlencode(), "once": token_new(),
        "csrf": get_token(request),
    }, request=None)  # fmt: skip
