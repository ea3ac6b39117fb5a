"""``{{ user|may_import }}``: whether the staff menu shows the history import (the same check as
its pages, ``services.import_may``)."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.imports.services import import_may

register = template.Library()


@register.filter
def may_import(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and import_may(user)
