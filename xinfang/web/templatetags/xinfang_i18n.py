"""``{% load xinfang_i18n %}``: Chinese labels from the rule tables and models, translated.

``{{ d.state_label|tr }}``, ``{{ f.label|tr_action }}``, ``{{ n|abs }}`` (see ``web.labels``).
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.web import labels

register = template.Library()


@register.filter
def tr(value: Any) -> Any:
    return labels.tr(value)


@register.filter
def tr_action(value: Any) -> Any:
    return labels.tr_action(value)


@register.filter(name="abs")
def absolute(value: Any) -> Any:
    """|n| for a day count (an overdue deadline has negative days left)."""
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value
