"""No person-level risk, flag or list, anywhere in source prevention (DEVELOPERS.md principle 3;
regulation §10 asks for the assessment of *decisions* and the settling of *disputes*).

``PERSON_RISK_TERMS`` are the words such a field, column or heading would carry: a watch-list
(重点人员、黑名单、关注名单), a control measure against people (稳控、管控、布控、截访、劝返), a label
that penalises petitioning (缠访、闹访、非正常上访、信访老户), or a risk or score of a person
(风险人员、人员风险、person_risk …). The Django system check ``prevention.E001`` (registered in
``apps.py``) refuses to start when a model of this app names one in a field; the tests run the
same search over every template and export (tests/test_no_person_risk.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PERSON_RISK_TERMS: tuple[str, ...] = (
    # Chinese
    "重点人员",
    "重点人",
    "重点上访",
    "黑名单",
    "关注名单",
    "关注人员",
    "监控对象",
    "稳控",
    "管控",
    "布控",
    "截访",
    "劝返",
    "维稳对象",
    "缠访",
    "闹访",
    "非正常上访",
    "异常访",
    "信访老户",
    "上访老户",
    "风险人员",
    "人员风险",
    "高危人员",
    "个人风险",
    "风险人群",
    # English (identifiers and translations)
    "watchlist",
    "watch_list",
    "watch-list",
    "watch list",
    "blacklist",
    "person_risk",
    "personal_risk",
    "risk_person",
    "people_risk",
    "key_person",
    "person of concern",
    "persons of concern",
    "troublemaker",
    "abnormal petition",
    "stability target",
    "suspect",
)
_PATTERN = re.compile("|".join(re.escape(t) for t in PERSON_RISK_TERMS), re.IGNORECASE)


def person_risk_terms_in(text: str) -> list[str]:
    """The forbidden terms that occur in ``text`` (empty: none)."""
    return sorted({m.group(0).lower() for m in _PATTERN.finditer(text or "")})


def field_texts(model: Any) -> Iterable[tuple[str, str]]:
    """(where, text) of everything a model declares: its names, its fields' names, verbose
    names, help texts and choice labels."""
    meta = model._meta
    yield f"{meta.label}", f"{meta.model_name} {meta.verbose_name} {meta.verbose_name_plural}"
    for f in meta.get_fields():
        where = f"{meta.label}.{f.name}"
        parts = [f.name, str(getattr(f, "verbose_name", "")), str(getattr(f, "help_text", ""))]
        parts += [f"{v} {label}" for v, label in (getattr(f, "choices", None) or [])]
        yield where, " ".join(parts)


def check_models(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Django system check ``prevention.E001``: no model of this app names a person-level risk
    or a watch-list in its fields."""
    from django.apps import apps
    from django.core import checks

    errors = []
    for model in apps.get_app_config("prevention").get_models():
        for where, text in field_texts(model):
            found = person_risk_terms_in(text)
            if found:
                errors.append(
                    checks.Error(
                        f"{where} names a person-level risk or watch-list: {', '.join(found)}",
                        hint="Risk belongs to a decision or project, never to a person "
                        "(DEVELOPERS.md principle 3).",
                        id="prevention.E001",
                    )
                )
    return errors
