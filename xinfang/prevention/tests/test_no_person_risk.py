"""Principle 3: risk assessment is of matters and decisions, never of persons. Every model, form,
template and export of this app is searched for a person-level risk or watch-list field (the
words are ``guard.PERSON_RISK_TERMS``, the same the system check ``prevention.E001`` uses) and
none is found; the only risk fields belong to a decision's risk points."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.apps import apps

from xinfang.prevention import guard

APP = Path(guard.__file__).parent


def _models():
    return list(apps.get_app_config("prevention").get_models())


def test_no_model_field_names_a_person_level_risk_or_a_watch_list():
    found = [
        (where, guard.person_risk_terms_in(text))
        for m in _models()
        for where, text in guard.field_texts(m)
        if guard.person_risk_terms_in(text)
    ]
    assert found == []
    assert guard.check_models() == []


def test_risk_and_levels_live_only_on_a_decisions_risk_points():
    risky = {
        f"{m.__name__}.{f.name}"
        for m in _models()
        for f in m._meta.get_fields()
        if re.search(
            r"risk|likelihood|impact|score|level|风险|可能性|影响",
            f"{f.name} {getattr(f, 'verbose_name', '')}",
            re.I,
        )
    }
    allowed_models = {"Decision", "RiskPoint", "DecisionLink"}
    assert risky and {r.split(".")[0] for r in risky} <= allowed_models, risky


def test_a_dispute_party_is_a_name_and_what_that_side_asks_nothing_more():
    from xinfang.prevention.models import DisputeParty

    assert {f.name for f in DisputeParty._meta.get_fields()} == {
        "id",
        "dispute",
        "side",
        "name",
        "asks",
    }
    # and no model of this app points at a party or a petitioner to rate or list them
    for m in _models():
        for f in m._meta.get_fields():
            if f.is_relation and f.related_model is not None:
                assert f.related_model.__name__ not in {"Party"}, f"{m.__name__}.{f.name}"


def test_no_template_of_this_app_names_a_person_level_risk_or_a_watch_list():
    templates = sorted((APP / "templates").rglob("*.html"))
    assert templates
    found = {str(t.relative_to(APP)): guard.person_risk_terms_in(t.read_text()) for t in templates}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_form_field_posted_by_the_pages_names_one():
    names = set()
    for t in (APP / "templates").rglob("*.html"):
        names |= set(re.findall(r'name="([^"]+)"', t.read_text()))
    assert names and not [n for n in names if guard.person_risk_terms_in(n)]


def test_no_source_string_of_the_app_names_one():
    """Views, services, selectors, exports: every string literal (docstrings, comments, this
    app's guard and tests aside)."""
    import ast

    found = {}
    for py in APP.rglob("*.py"):
        if "tests" in py.parts or py.name == "guard.py" or "migrations" in py.parts:
            continue
        tree = ast.parse(py.read_text())
        docstrings = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                doc = guard.person_risk_terms_in(node.value)
                if doc:
                    found.setdefault(str(py.relative_to(APP)), []).extend(doc)
    assert found == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_no_export_names_one(client, town, record):
    from openpyxl import load_workbook

    from xinfang.prevention.exports import ledger_headers

    record()
    assert not guard.person_risk_terms_in(" ".join(ledger_headers()))
    client.force_login(town.clerk)
    r = client.get("/prevention/disputes/ledger.xlsx")
    ws = load_workbook(io.BytesIO(r.content), read_only=True).active
    text = " ".join(str(c or "") for row in ws.iter_rows(values_only=True) for c in row)
    assert "赵大" in text and not guard.person_risk_terms_in(text)


def test_the_check_finds_a_planted_watch_list_field():
    """The fault planted: a model with a watch-list field is caught by the same search."""
    from django.db import models

    class Planted(models.Model):
        key_person = models.BooleanField("重点人员", default=False)

        class Meta:
            app_label = "prevention_planted"

    found = [w for w, t in guard.field_texts(Planted) if guard.person_risk_terms_in(t)]
    assert found == ["prevention_planted.Planted.key_person"]
    assert guard.person_risk_terms_in("<th>稳控对象</th>") == ["稳控"]
    assert guard.person_risk_terms_in("Watch-List of petitioners") == ["watch-list"]
