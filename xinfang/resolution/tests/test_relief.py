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
            amount=Decimal(amount),
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
    relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("1000"))
    relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("2000"))
    app.refresh_from_db()
    assert (app.status, app.paid_total) == ("paid", Decimal("3000"))
    with pytest.raises(ApplicationError):  # nothing left to pay on it
        relief_pay(actor=world.po_head, application_id=app.pk, amount=Decimal("1"))
    other = approved(world, apply(submission=None))
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


@pytest.mark.parametrize("raw", ["0", "-5", "abc", "1e400", "NaN", "0.001", "99999999999"])
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
