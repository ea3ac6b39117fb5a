"""Policy matters suggested from the hot-issue feature (insight.hot): a person confirms each
link, and an accusation the user may not see is never offered nor counted (Art. 30 para 3)."""

from __future__ import annotations

import pytest

from xinfang.insight.hot.views import HotRow
from xinfang.prevention.models import PolicyMatterPetition
from xinfang.prevention.services import policy_matter_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _row(label: str, terms: tuple[str, ...], ids: list[int]) -> HotRow:
    return HotRow(
        label=label,
        place="",
        terms=terms,
        size=len(ids),
        people=len(ids),
        recent=len(ids),
        growth=1.0,
        span_days=7,
        places=(),
        weekly=(len(ids),),
        week_starts=("2025-08-18",),
        sparkline="▁",
        surge=False,
        surge_weeks=(),
        member_ids=tuple(ids),
    )


@pytest.fixture
def hot(monkeypatch):
    """The hot issues the feature would find (its clustering is tested in insight)."""
    rows: list[HotRow] = []
    monkeypatch.setattr(
        "xinfang.insight.hot.views.hot_rows_cached", lambda *, user, weeks=8, gate=True: rows
    )
    return rows


def test_hot_issues_suggest_a_policy_matter_and_its_petitions_a_person_confirms(
    client, world, register, hot
):
    head = world.city_head  # organ head at 青山县人民政府: records and reads petitions
    mine = [
        register(title=f"军转干部补助标准不统一{i}", organ=world.county_gov).petition
        for i in range(3)
    ]
    accusation = register(
        title="控告县政府克扣军转干部补助",
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    hot.append(_row("军转干部补助", ("军转干部", "补助"), [p.pk for p in mine] + [accusation.pk]))
    client.force_login(head)
    html = client.get("/prevention/policy/").content.decode()
    assert 'id="policy-hot"' in html and "军转干部补助" in html
    assert "3 件" in html  # the accusation is not counted for the accused organ
    new = client.get("/prevention/policy/new/?title=军转干部补助").content.decode()
    assert 'value="军转干部补助"' in new
    m = policy_matter_create(
        actor=head, organ=world.county_gov, title="企业军转干部补助", description="标准不统一"
    )
    page = client.get(f"/prevention/policy/{m.pk}/").content.decode()
    assert 'id="policy-hot-suggestions"' in page
    assert all(f'value="{p.pk}"' in page for p in mine)
    assert accusation.title not in page and f'value="{accusation.pk}"' not in page
    assert not PolicyMatterPetition.objects.exists()  # nothing linked by itself
    r = client.post(
        f"/prevention/policy/{m.pk}/link/", {"petition_id": mine[0].pk, "source": "hot_issue"}
    )
    assert r.status_code == 302
    link = PolicyMatterPetition.objects.get()
    assert (link.petition_id, link.source) == (mine[0].pk, "hot_issue")
    page = client.get(f"/prevention/policy/{m.pk}/").content.decode()
    assert f'name="petition_id" value="{mine[0].pk}"' not in page  # linked: no longer offered


def test_no_hint_for_roles_that_do_not_record_or_when_the_issue_is_grouped(
    client, world, register, hot
):
    p = register(title="军转干部补助", organ=world.county_gov).petition
    hot.append(_row("军转干部补助", ("军转干部",), [p.pk]))
    client.force_login(world.analyst)  # sees hot issues, records no policy matter
    assert client.get("/prevention/policy/").status_code == 403
    head = world.city_head
    m = policy_matter_create(actor=head, organ=world.county_gov, title="军转干部", description="x")
    from xinfang.prevention.services import policy_matter_link

    policy_matter_link(actor=head, matter_id=m.pk, petition_id=p.pk)
    client.force_login(head)
    assert 'id="policy-hot"' not in client.get("/prevention/policy/").content.decode()
