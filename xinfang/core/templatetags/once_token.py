"""``{% once_token %}``: the hidden one-time token of a state-changing form (a builtin tag, no
``{% load %}``; ``xinfang.core.once_forms`` claims it). A form re-shown after an error keeps the
token it was sent with, so the corrected submission goes through; a page shown by GET gets a
fresh one for each form."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from xinfang.core.once import FIELD, KEY_MAX, token_new

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context: template.Context) -> str:
    request = context.get("request")
    token = ""
    if request is not None and request.method == "POST":
        token = (request.POST.get(FIELD) or "").strip()[:KEY_MAX]
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token or token_new())
