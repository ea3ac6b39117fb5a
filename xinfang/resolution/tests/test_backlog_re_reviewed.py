"""The backlog criterion "passed re-review but still raised" (复查复核终结后仍反映, Art. 36
para 3): a matter whose re-review opinion is issued comes back as a new petition of the same
matter; the daily tick proposes the latest open one, once, and a person confirms or rejects."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act
from xinfang.resolution.backlog_rules import Criterion, Facts, Kind

pytestmark = pytest.mark.django_db


def test_the_rule_matches_an_open_petition_raised_the_threshold_times_after_the_opinion():
    from datetime import date

    c = Criterion(Kind.RE_REVIEWED, 2)
    today = date(2026, 4, 1)
    assert not c.matches(Facts(date(2026, 3, 1), True, 0, 1), today=today)
    assert c.matches(Facts(date(2026, 3, 1), True, 0, 2), today=today)
    assert not c.matches(Facts(date(2026, 3, 1), False, 0, 5), today=today)
    assert "2 次" in c.reason(Facts(date(2026, 3, 1), True, 0, 2), today=today)


@pytest.fixture
def ended(world, register):
    """A matter through re-review: the city government's opinion issued on 26 Feb 2026."""
    from xinfang.resolution.models import BacklogCriterion
    from xinfang.resolution.tests.test_hearing import re_review_requested

    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="re_reviewed", threshold=1)
    p = re_review_requested(world, register)
    act(
        world,
        p,
        "decide_re_review",
        world.prov_head,
        (2026, 2, 26),
        request="请求撤销",
        facts="复核查明事实清楚。",
        decision="维持复查意见。",
        legal_basis="《信访工作条例》第三十六条",
    )
    return p


def _again(world, register, p, day):
    return register(
        repeat_of_id=p.pk, title="同一事项再次来信", received_at=local(*day), at=local(*day)
    ).petition


def test_a_matter_raised_again_after_its_re_review_is_proposed_once_and_a_person_confirms(
    world, register, ended
):
    from xinfang.resolution.models import BacklogCase
    from xinfang.resolution.services import backlog_decide, backlog_propose_due

    assert backlog_propose_due(now=local(2026, 3, 2)) == {"proposed": 0}  # not raised again yet
    again = _again(world, register, ended, (2026, 3, 5))
    assert backlog_propose_due(now=local(2026, 3, 6)) == {"proposed": 1}
    assert backlog_propose_due(now=local(2026, 3, 7)) == {"proposed": 0}  # tick twice: once
    case = BacklogCase.objects.get()
    assert case.petition_id == again.pk and case.status == "proposed"
    assert "复核意见出具后同一事项仍反映 1 次" in case.proposed_reason
    assert "第三十六条第三款" in case.proposed_reason
    again.refresh_from_db()
    assert not again.backlog  # a proposal is not yet a backlog case: a person decides
    backlog_decide(
        actor=world.clerk, case_id=case.pk, confirm=True, leader="李副县长", at=local(2026, 3, 8)
    )
    again.refresh_from_db()
    assert again.backlog


def test_a_proposal_a_person_rejects_stays_rejected_and_the_threshold_counts(
    world, register, ended
):
    """Threshold 2: one petition after the opinion proposes nothing; the second does (the latest
    open one). A person rejects it with a reason: the tick does not propose it again."""
    from xinfang.resolution.models import BacklogCase, BacklogCriterion
    from xinfang.resolution.services import backlog_decide, backlog_propose_due

    BacklogCriterion.objects.update(threshold=2)
    _again(world, register, ended, (2026, 3, 5))
    assert backlog_propose_due(now=local(2026, 3, 6)) == {"proposed": 0}
    second = _again(world, register, ended, (2026, 3, 9))
    assert backlog_propose_due(now=local(2026, 3, 10)) == {"proposed": 1}
    case = BacklogCase.objects.get()
    assert case.petition_id == second.pk and "2 次" in case.proposed_reason
    backlog_decide(
        actor=world.clerk,
        case_id=case.pk,
        confirm=False,
        note="新来信提出了新的事实和理由，应作为新事项办理",
        at=local(2026, 3, 11),
    )
    assert backlog_propose_due(now=local(2026, 3, 12)) == {"proposed": 0}
    case.refresh_from_db()
    second.refresh_from_db()
    assert case.status == "rejected" and not second.backlog


def test_a_repeat_registered_before_the_re_review_opinion_does_not_count(world, register, ended):
    """Registered on 25 Jan, a month before the opinion (26 Feb): it was raised while the
    re-review still ran, not after the matter was ended.

    Planted fault: drop the ``registered_at > ended[root]`` check in
    ``services/backlog._raised_after_re_review`` - this petition is then proposed."""
    from xinfang.resolution.services import backlog_propose_due

    _again(world, register, ended, (2026, 1, 25))
    assert backlog_propose_due(now=local(2026, 3, 1)) == {"proposed": 0}


def test_the_province_sets_the_criteria_in_the_admin_site_and_a_threshold_below_one_is_refused(
    client, world
):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.resolution.models import BacklogCriterion

    admin = staff_create(
        username="provadmin", password="test-pass-123", organ=world.prov_gov, roles=[Role.ADMIN]
    )
    client.force_login(admin)
    c = BacklogCriterion.objects.get(kind="re_reviewed")  # seeded by the migration, threshold 1
    url = f"/admin/resolution/backlogcriterion/{c.pk}/change/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"kind": "re_reviewed", "threshold": "0", "is_active": "on"})
    assert r.status_code == 200 and "阈值 N 应为 1 至 100000 的整数" in r.content.decode()
    r = client.post(url, {"kind": "re_reviewed", "threshold": "2", "is_active": "on"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.threshold == 2


def test_a_county_administrator_may_not_add_change_or_delete_the_criteria(client, world):
    """The criteria hold for the whole deployment: only an administrator of a province-level (or
    higher) organ sets them. Planted fault: drop the level check in ``BacklogCriterionAdmin``
    and the county administrator's POSTs answer 302 and change or delete the row."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.resolution.models import BacklogCriterion

    admin = staff_create(
        username="cadmin", password="test-pass-123", organ=world.county_po, roles=[Role.ADMIN]
    )
    client.force_login(admin)
    c = BacklogCriterion.objects.get(kind="re_reviewed")
    before, rows = (c.threshold, c.is_active), BacklogCriterion.objects.count()
    base = "/admin/resolution/backlogcriterion/"
    assert client.get(base).status_code == 200  # may read them
    r = client.post(f"{base}{c.pk}/change/", {"kind": "re_reviewed", "threshold": "100000"})
    assert r.status_code == 403
    assert client.post(f"{base}{c.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}add/", {"kind": "re_reviewed", "threshold": "5"}).status_code == 403
    c.refresh_from_db()
    assert (c.threshold, c.is_active) == before
    assert BacklogCriterion.objects.count() == rows


def test_a_matter_is_followed_along_its_chain_of_repeats_both_ways(world, register, ended):
    """The registrar links a new letter to the latest petition of the matter, not to the
    re-reviewed one (P1 re-reviewed <- P2 <- P3), and the re-reviewed petition may itself be a
    repeat of an older one (P0 <- P1; a later letter linked to P0): all are the same matter."""
    from xinfang.resolution.models import BacklogCase, BacklogCriterion
    from xinfang.resolution.services import backlog_propose_due

    BacklogCriterion.objects.filter(kind="re_reviewed").update(threshold=3)
    p2 = _again(world, register, ended, (2026, 3, 5))
    p3 = _again(world, register, p2, (2026, 3, 9))
    assert backlog_propose_due(now=local(2026, 3, 10)) == {"proposed": 0}  # 2 < 3
    # an older petition of the matter: the re-reviewed one was registered as its repeat
    older = register(title="最初来信", received_at=local(2024, 5, 1), at=local(2024, 5, 1)).petition
    type(ended).objects.filter(pk=ended.pk).update(repeat_of=older)
    p4 = _again(world, register, older, (2026, 3, 12))  # linked to the first petition
    assert backlog_propose_due(now=local(2026, 3, 13)) == {"proposed": 1}
    case = BacklogCase.objects.get()
    assert case.petition_id == max(p3.pk, p4.pk)
    assert "3 次" in case.proposed_reason
