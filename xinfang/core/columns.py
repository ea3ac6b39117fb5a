"""Values checked against the columns that will hold them (issue 13 §1.5).

PostgreSQL refuses a string longer than its ``varchar`` or an integer outside its column (a
500 before this module); SQLite stores both, so a later move to PostgreSQL fails. Two uses, one
table of limits (the models' own fields):

* ``column_problems(Model, {"field": value})``: services check their input before writing, so
  a form or the API shows the field's message next to what was typed;
* every ``save()`` of any model passes ``instance_problems`` (a ``pre_save`` receiver connected
  in ``CoreConfig.ready``): nothing that slipped past a form reaches a column it cannot fit.
  Bulk inserts bypass it: their services call ``column_problems`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError

_RANGES = BaseDatabaseOperations.integer_field_ranges  # PostgreSQL's, whatever the database


def field_problem(field: models.Field, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(field, models.CharField) and field.max_length and isinstance(value, str):
        if len(value) > field.max_length:
            return gettext("不能超过 %(n)s 个字（现有 %(m)s 个）") % {
                "n": field.max_length,
                "m": len(value),
            }
        return None
    if isinstance(field, models.IntegerField | models.AutoField) and isinstance(value, int):
        lo, hi = _RANGES.get(field.get_internal_type(), (None, None))
        if lo is not None and not lo <= value <= hi:
            return gettext("数值应在 %(lo)s 至 %(hi)s 之间") % {"lo": lo, "hi": hi}
    return None


def column_problems(
    model: type[models.Model], values: Mapping[str, Any], *, prefix: str = ""
) -> dict[str, list[str]]:
    """Messages per field name (``prefix`` before it) for values their columns cannot hold."""
    out: dict[str, list[str]] = {}
    for name, value in values.items():
        msg = field_problem(model._meta.get_field(name), value)
        if msg is not None:
            out.setdefault(f"{prefix}{name}", []).append(msg)
    return out


def instance_problems(instance: models.Model) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in instance._meta.concrete_fields:
        if f.is_relation:
            continue
        msg = field_problem(f, getattr(instance, f.attname, None))
        if msg is not None:
            out.setdefault(f.name, []).append(msg)
    return out


def guard_columns(sender, instance, raw=False, **kwargs):  # type: ignore[no-untyped-def]
    """``pre_save``: refuse (400, field messages) a value its column cannot hold."""
    if raw:  # loading fixtures or a restore writes what was there
        return
    problems = instance_problems(instance)
    if problems:
        raise ApplicationError(
            gettext("填写的内容超出了允许的长度或数值范围，请按提示修改"),
            code="invalid",
            fields=problems,
        )
