"""Two simultaneous posts of one form (the same one-time key) or of one step: the second is a
clear 409 "已存在", never the database's IntegrityError (a 500). The race is made by hand: the
service's own check (``_shared.prior``) is told it found nothing, as when the first post commits
between the second's check and its insert; the database's unique constraint then answers.

Planted fault: drop ``unique(...)`` around the insert in ``relief_apply`` - the second post
raises IntegrityError and the relief tests here fail. Run on PostgreSQL too
(XINFANG_TEST_DB=postgres): the savepoint keeps the transaction usable there."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import local

pytestmark = pytest.mark.django_db

KEY = "0b7a4f3e-1a2b-4c3d-8e9f-00112233aaaa"


@pytest.fixture
def racing(monkeypatch):
    """The services' check for an earlier post of the same key finds nothing."""
    from xinfang.resolution.services import hearing, relief, supervision

    for module in (hearing, relief, supervision):
        monkeypatch.setattr(module, "prior", lambda *a, **k: None)


def _is_exists(e) -> None:
    assert e.value.status == 409 and e.value.code == "exists"
    assert e.value.message.startswith("已存在")


@pytest.fixture
def fund(world):
    from xinfang.resolution.services import relief_fund_allocate

    return relief_fund_allocate(
        actor=world.po_head, year=2025, amount=Decimal("5000"), at=local(2025, 9, 1)
    ).fund


def _apply(world, held, fund, **over):
    from xinfang.resolution.services import relief_apply

    fields = dict(
        actor=world.handler,
        petition_id=held.pk,
        fund_id=fund.pk,
        reasons="家庭困难",
        hardship="重病",
        amount=Decimal("300"),
        submission=KEY,
        at=local(2025, 9, 2),
    )
    fields.update(over)
    return relief_apply(**fields)


def test_a_second_relief_application_with_the_same_key_is_a_409(world, held, fund, racing):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import ReliefApplication

    _apply(world, held, fund)
    with pytest.raises(ApplicationError) as e:
        _apply(world, held, fund)
    _is_exists(e)
    assert ReliefApplication.objects.count() == 1
    _apply(world, held, fund, submission=None)  # the transaction is still usable
    assert ReliefApplication.objects.count() == 2


def test_the_relief_form_answers_the_second_post_with_409_and_keeps_what_was_typed(
    client, world, held, fund, racing
):
    form = {
        "petition": held.tracking_code,
        "fund": str(fund.pk),
        "reasons": "家庭困难，无力支付医疗费",
        "hardship": "重病",
        "amount": "300",
        "submission": KEY,
    }
    client.force_login(world.handler)
    assert client.post("/resolution/relief/new/", form).status_code in (302, 303)
    r = client.post("/resolution/relief/new/", form)
    html = r.content.decode()
    assert r.status_code == 409 and "已存在" in html and "家庭困难，无力支付医疗费" in html


def test_one_approval_step_twice_is_a_409(world, held, fund):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import ReliefDecision
    from xinfang.resolution.services import relief_decide

    app = _apply(world, held, fund)
    # the other post's decision is in, its status change not yet seen by this one
    ReliefDecision.objects.create(
        application=app, step="head", approve=True, by=world.head, on=local(2025, 9, 3).date()
    )
    with pytest.raises(ApplicationError) as e:
        relief_decide(actor=world.head, application_id=app.pk, approve=True)
    _is_exists(e)
    assert ReliefDecision.objects.count() == 1


def test_a_second_supervision_notice_with_the_same_key_is_a_409(frozen, world, issue, racing):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import SupervisionNotice

    issue(submission=KEY)
    with pytest.raises(ApplicationError) as e:
        issue(submission=KEY)
    _is_exists(e)
    assert SupervisionNotice.objects.count() == 1


def test_a_second_hearing_with_the_same_key_or_while_one_is_live_is_a_409(world, register, racing):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import Hearing
    from xinfang.resolution.tests.test_hearing import re_review_requested, schedule

    p = re_review_requested(world, register)
    schedule(world, p, submission=KEY)
    with pytest.raises(ApplicationError) as e:
        schedule(world, p, submission=KEY)
    _is_exists(e)
    with pytest.raises(ApplicationError) as e:  # another form: one live hearing per petition
        schedule(world, p)
    _is_exists(e)
    assert "petition" in e.value.fields
    assert Hearing.objects.count() == 1
