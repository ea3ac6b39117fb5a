"""The demo's suggestion and mediation seed (Art. 29, Art. 33) dates everything from the ``today``
it is given, never the wall clock (design habit 6), and its agreement waives no right."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from conftest import local
from tests.flows import act

pytestmark = pytest.mark.django_db


def test_the_suggestion_and_mediation_seed_follows_the_today_it_is_given(world, register):
    """Planted fault: ``now = clock.now()`` / ``held_on=clock.today()`` back in
    ``demo/suggestions.py`` and the decision and the mediation fall on the real today."""
    from xinfang.demo.suggestions import suggestion_mediation_seed
    from xinfang.documents.selectors import document_list
    from xinfang.petitions.models import Petition
    from xinfang.resolution.models import Mediation, Suggestion

    s = register(
        category="suggestion",
        route=None,
        title="建议老旧小区加装电梯简化审批",
        received_at=local(2025, 8, 1),
        at=local(2025, 8, 1),
    ).petition
    act(world, s, "transfer", world.clerk, (2025, 8, 2), to_organ_id=world.housing.pk)
    act(world, s, "acknowledge", world.head, (2025, 8, 4), category="suggestion")
    act(world, s, "start_handling", world.head, (2025, 8, 4))
    a = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(world, a, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    act(world, a, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    act(world, a, "start_handling", world.head, (2025, 8, 5))

    today = date(2025, 9, 1)
    staff = SimpleNamespace(officer=lambda organ: world.head)
    made = suggestion_mediation_seed(
        county=SimpleNamespace(gov=world.county_gov), staff=staff, today=today
    )
    assert made == {"suggestions": 1, "mediations": 1}
    day = date(2025, 8, 31)  # the day before the seed's today: the demo's history is past
    assert Suggestion.objects.get().decided_on == day
    m = Mediation.objects.get()
    assert m.held_on == day and m.status == "settled"
    assert {x.signed_on for x in m.signers.all()} == {day}
    # the agreement waives no right; its document says no term limits them (principle 2)
    assert "不再" not in m.agreed
    doc = [
        d for d in document_list(petition=Petition.objects.get(pk=a.pk)) if d.kind == "agreement"
    ]
    assert "不限制信访人依法提出信访" in doc[-1].remedy


def test_no_demo_agreement_makes_the_settlement_conditional_on_giving_up_petitioning():
    """The demo's agreement texts (Art. 33) carry no 息诉罢访 clause such as
    信访人不再就此事提出信访 (DEVELOPERS.md principle 2)."""
    import inspect
    import re

    from xinfang.demo import suggestions
    from xinfang.demo.texts import _WHY

    for text in (_WHY["settle"], inspect.getsource(suggestions)):
        assert not re.search(r"不再[^。；]{0,8}信访", text)
