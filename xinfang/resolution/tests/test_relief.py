"""Relief (信访救助, Art. 37): the approval chain, payments, a ledger that never goes negative,
and no condition on the petitioner's rights anywhere."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import local

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"息访|息诉|停访|罢访|不再信访|不再上访|撤回|撤销信访|越级|承诺|保证书")


@pytest.fixture
def fund(world):
    from xinfang.resolution.services import relief_fund_allocate

    return relief_fund_allocate(
        actor=world.po_head,
        year=2025,
        amount=Decimal("5000"),
        note="县财政拨入",
        at=local(2025, 9, 1),
    ).fund


@pytest.fixture
def apply(world, held, fund):
    from xinfang.resolution.services import relief_apply

    def _apply(amount="3000", **over):
        fields = dict(
            actor=world.handler,
            petition_id=held.pk,
            fund_id=fund.pk,
            reasons="信访人因房屋漏水长期未修复，家庭生活困难",
            hardship="家中一人重病住院，月收入不足一千元",
            amount=amount,  # the service parses it (a str or a Decimal)
            at=local(2025, 9, 2),
        )
        fields.update(over)
        return relief_apply(**fields)

    return _apply


def approved(world, app, amount=None):
    from xinfang.resolution.services import relief_decide

    relief_decide(actor=world.head, application_id=app.pk, approve=True, at=local(2025, 9, 3))
    return relief_decide(
        actor=world.po_head,
        application_id=app.pk,
        approve=True,
        amount=amount,
        at=local(2025, 9, 4),
    )


def test_the_chain_runs_handler_then_organ_head_then_fund_owner(world, apply):
    from xinfang.core.errors import Forbidden
    from xinfang.resolution.services import relief_decide

    app = apply()
    assert app.status == "submitted" and app.number
    with pytest.raises(Forbidden):  # the fund owner may not skip the organ head
        relief_decide(actor=world.po_head, application_id=app.pk, approve=True)
    with pytest.raises(Forbidden):  # a handler approves nothing
        relief_decide(actor=world.handler, application_id=app.pk, approve=True)
    app = relief_decide(actor=world.head, application_id=app.pk, approve=True)
    assert app.status == "head_approved"
    with pytest.raises(Forbidden):  # the organ head does not approve the fund's step too
        relief_decide(actor=world.head, application_id=app.pk, approve=True)
    app = relief_decide(
        actor=world.po_head, application_id=app.pk, approve=True, amount=Decimal("2000")
    )
    assert (app.status, app.amount_approved) == ("approved", Decimal("2000"))
    assert [d.step for d in app.decisions.all()] == ["head", "fund"]


def test_a_refusal_needs_its_reason_and_ends_the_application(world, apply):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import relief_decide

    app = apply()
    with pytest.raises(ApplicationError):
        relief_decide(actor=world.head, application_id=app.pk, approve=False)
    app = relief_decide(actor=world.head, application_id=app.pk, approve=False, note="已纳入低保")
    assert app.status == "rejected"


def test_payments_move_the_ledger_and_the_balance_never_goes_negative(world, apply, fund):
    """5,000 allocated; 3,000 approved and paid in two parts; a second application's 3,000
    finds 2,000 left and is refused, the balance and the ledger unchanged.

    Planted fault: remove the ``amount > fund.balance`` check in ``relief_pay`` - the payment
    then reaches the database's check constraint (an IntegrityError, not the clear refusal)
    and this test fails."""
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import FundEntry, ReliefFund
    from xinfang.resolution.services import relief_pay

    app = approved(world, apply())
    other = approved(world, apply(submission=None))  # both covered when approved
    relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("1000"))
    relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("2000"))
    app.refresh_from_db()
    assert (app.status, app.paid_total) == ("paid", Decimal("3000"))
    with pytest.raises(ApplicationError):  # nothing left to pay on it
        relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("1"))
    with pytest.raises(ApplicationError) as e:
        relief_pay(actor=world.po_head, application_id=other.pk, amount=Decimal("3000"))
    assert "amount" in e.value.fields and "余额不足" in e.value.fields["amount"][0]
    assert ReliefFund.objects.get(pk=fund.pk).balance == Decimal("2000")
    ledger = list(
        FundEntry.objects.filter(fund=fund).values_list("kind", "amount", "balance_after")
    )
    assert ledger == [
        ("allocation", Decimal("5000.00"), Decimal("5000.00")),
        ("payment", Decimal("1000.00"), Decimal("4000.00")),
        ("payment", Decimal("2000.00"), Decimal("2000.00")),
    ]
    assert all(b >= 0 for _, _, b in ledger)


def test_the_database_refuses_a_negative_balance_too(world, fund):
    from django.db import IntegrityError, transaction

    from xinfang.resolution.models import ReliefFund

    with pytest.raises(IntegrityError), transaction.atomic():
        ReliefFund.objects.filter(pk=fund.pk).update(balance=Decimal("-0.01"))


@pytest.mark.parametrize("raw", ["0", "-5", "abc", "1e400", "NaN", "0.001", "99999999999", True])
def test_a_bad_amount_is_a_clear_400(raw):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import amount_parse

    with pytest.raises(ApplicationError) as e:
        amount_parse(raw, field="amount")
    assert e.value.status == 400 and "amount" in e.value.fields


def test_relief_carries_no_condition_on_the_petitioners_rights(client, world, apply):
    """No field of any relief model, no parameter of a relief service and no word of the relief
    pages and documents makes relief depend on withdrawing a petition, not petitioning again or
    not going to a higher level (Art. 37; DEVELOPERS.md principle 3)."""
    import inspect

    from xinfang.resolution import models
    from xinfang.resolution.services import relief

    words = re.compile(r"withdraw|repeat|escalat|promise|undertak|condition|no_petition")
    for m in (models.ReliefApplication, models.ReliefDecision, models.ReliefFund, models.FundEntry):
        for f in m._meta.get_fields():
            assert not words.search(f.name), (m, f.name)
            assert not FORBIDDEN.search(str(getattr(f, "verbose_name", ""))), (m, f.name)
    for fn in (relief.relief_apply, relief.relief_decide, relief.relief_pay):
        assert not [p for p in inspect.signature(fn).parameters if words.search(p)]
    app = approved(world, apply())
    client.force_login(world.po_head)
    for url in (
        f"/resolution/relief/{app.pk}/",
        f"/resolution/relief/{app.pk}/notice/",
        "/resolution/relief/new/",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert not FORBIDDEN.search(r.content.decode()), url
    from pathlib import Path

    import xinfang.resolution as pkg

    for t in (Path(pkg.__file__).parent / "templates" / "resolution").glob("relief*.html"):
        assert not FORBIDDEN.search(t.read_text(encoding="utf-8")), t.name


@pytest.mark.parametrize("raw", ["0", "-1", "0.001", "10000000.01", "NaN", "1e400", "x"])
def test_the_services_refuse_a_bad_amount_whoever_calls_them(world, apply, fund, raw):
    """Not only the forms: each service checks the amount itself (positive, at most two
    decimals, at most ten million yuan) - a 400 on ``amount``, nothing written."""
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import FundEntry, ReliefApplication
    from xinfang.resolution.services import relief_decide, relief_fund_allocate, relief_pay

    app = apply()
    relief_decide(actor=world.head, application_id=app.pk, approve=True, at=local(2025, 9, 3))
    calls = [
        lambda: apply(amount=raw, submission=None),
        lambda: relief_decide(actor=world.po_head, application_id=app.pk, approve=True, amount=raw),
        lambda: relief_fund_allocate(actor=world.po_head, year=2025, amount=raw),
    ]
    for call in calls:
        with pytest.raises(ApplicationError) as e:
            call()
        assert e.value.status == 400 and "amount" in e.value.fields
    approved_app = relief_decide(actor=world.po_head, application_id=app.pk, approve=True)
    with pytest.raises(ApplicationError) as e:
        relief_pay(actor=world.po_head, application_id=approved_app.pk, amount=raw)
    assert e.value.status == 400 and "amount" in e.value.fields
    assert ReliefApplication.objects.count() == 1 and FundEntry.objects.count() == 1


def test_no_application_or_approval_beyond_the_funds_balance(world, apply, fund):
    """5,000 in the fund: an application for 5,000.01 is refused; one for 5,000 is taken, and
    its approval is refused once the balance has fallen below it."""
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import ReliefFund
    from xinfang.resolution.services import relief_decide

    with pytest.raises(ApplicationError) as e:
        apply(amount="5000.01")
    assert "余额不足" in e.value.fields["amount"][0]
    app = apply(amount="5000")
    relief_decide(actor=world.head, application_id=app.pk, approve=True)
    ReliefFund.objects.filter(pk=fund.pk).update(balance=Decimal("4000"))
    with pytest.raises(ApplicationError) as e:
        relief_decide(actor=world.po_head, application_id=app.pk, approve=True)
    assert "余额不足" in e.value.fields["amount"][0]
    app = relief_decide(
        actor=world.po_head, application_id=app.pk, approve=True, amount=Decimal("4000")
    )
    assert app.amount_approved == Decimal("4000")


def test_an_allocation_the_balance_column_cannot_hold_is_refused(world, fund):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import ReliefFund
    from xinfang.resolution.services import relief_fund_allocate

    ReliefFund.objects.filter(pk=fund.pk).update(balance=Decimal("999999999999.00"))
    with pytest.raises(ApplicationError) as e:
        relief_fund_allocate(actor=world.po_head, year=2025, amount=Decimal("1"))
    assert "amount" in e.value.fields


def test_a_payment_is_dated_on_the_day_it_is_recorded(world, apply):
    from xinfang.resolution.services import relief_pay

    app = approved(world, apply())
    entry = relief_pay(
        actor=world.po_head, application_id=app.pk, amount=Decimal("10"), at=local(2025, 9, 8)
    )
    assert entry.on.isoformat() == "2025-09-08"


def test_relief_of_a_petition_accusing_the_fund_owner_goes_to_the_next_higher_fund(world, register):
    """A petition (registered at the city office) accuses the county petition office, which
    owns the county fund. The county office may never see it (Art. 30 para 3), so it could
    never approve: an application to the county fund is routed to the city government's fund,
    whose head approves and pays; the county office sees none of it. Without a higher fund the
    application is refused with the reason (never stuck).

    Planted fault: make ``access.fund_for_petition`` return the chosen fund always - the
    application then waits on the county office, which cannot open it, and this test fails."""
    from tests.flows import act
    from xinfang.core.errors import ApplicationError, NotFound
    from xinfang.resolution.models import ReliefApplication
    from xinfang.resolution.selectors import relief_get_for_user, relief_list_for_user
    from xinfang.resolution.services import (
        relief_apply,
        relief_decide,
        relief_fund_allocate,
        relief_pay,
    )

    p = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
        organ=world.city_po,
        actor=world.city_clerk,
        received_at=local(2025, 8, 28),
        at=local(2025, 8, 28),
    ).petition
    act(world, p, "transfer", world.city_clerk, (2025, 8, 29), to_organ_id=world.housing.pk)
    county = relief_fund_allocate(
        actor=world.po_head, year=2025, amount=Decimal("5000"), at=local(2025, 9, 1)
    ).fund

    def _apply(**over):
        fields = dict(
            actor=world.handler,
            petition_id=p.pk,
            fund_id=county.pk,
            reasons="家庭困难",
            hardship="重病",
            amount=Decimal("800"),
            at=local(2025, 9, 2),
        )
        return relief_apply(**{**fields, **over})

    with pytest.raises(ApplicationError) as e:  # no higher fund yet: refused, with the reason
        _apply()
    assert "第三十条" in e.value.fields["fund"][0]
    city = relief_fund_allocate(
        actor=world.prov_head, year=2025, amount=Decimal("9000"), at=local(2025, 9, 1)
    ).fund
    app = _apply()
    assert app.fund_id == city.pk and app.fund.organ_id == world.city_gov.pk
    relief_decide(actor=world.head, application_id=app.pk, approve=True, at=local(2025, 9, 3))
    relief_decide(actor=world.prov_head, application_id=app.pk, approve=True, at=local(2025, 9, 4))
    relief_pay(actor=world.prov_head, application_id=app.pk, amount=Decimal("800"))
    assert ReliefApplication.objects.get(pk=app.pk).status == "paid"
    with pytest.raises(NotFound):
        relief_get_for_user(user=world.po_head, application_id=app.pk)
    assert relief_list_for_user(user=world.po_head).rows == []
