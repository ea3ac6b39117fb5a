"""Relief (信访救助, Art. 37) in a real browser: the county petition office's head allocates its
fund, the housing bureau's handler applies for the petitioner of a petition it holds, the
bureau's head and then the fund owner's head approve (the second fixes the amount), the fund
owner pays, and the fund's ledger shows the payment and the balance. A refresh pays nothing
more; the petition's timeline carries each step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, user):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    sign_in(ctx, live_server, user)
    return ctx


def test_a_relief_application_from_apply_through_the_chain_to_payment_and_ledger(
    live_server, browser, world, register
):
    from xinfang.core import clock
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.resolution.models import FundEntry, ReliefApplication, ReliefFund

    held = register().petition  # registered at the county office, transferred to housing
    petition_act(
        petition_id=held.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        data={"to_organ_id": world.housing.pk},
    )
    url = live_server.url
    year = str(clock.today().year)

    # 1. the fund owner (county petition office's head) allocates its fund
    owner = _context(browser, live_server, world.po_head)
    page = owner.new_page()
    page.goto(f"{url}/resolution/supervision/")
    page.get_by_role("link", name="信访救助", exact=True).click()
    page.get_by_label("年度").fill(year)
    page.get_by_label("拨入金额（元）").fill("8000")
    page.get_by_label("摘要").fill("县财政拨入")
    page.get_by_role("button", name="拨入本机关救助资金").click()
    page.get_by_role("status").filter(has_text="已拨入救助资金").wait_for()
    fund = ReliefFund.objects.get()
    assert fund.balance == Decimal("8000")

    # 2. the handler applies
    bureau = _context(browser, live_server, world.handler)
    page = bureau.new_page()
    page.goto(f"{url}/resolution/relief/")
    page.get_by_role("link", name="申请救助").click()
    page.get_by_label("信访事项查询码").fill(held.tracking_code)
    page.get_by_label("救助资金").select_option(str(fund.pk))
    page.get_by_label("申请理由").fill("信访人因房屋漏水长期未修复，家庭生活困难")
    page.get_by_label("困难情况").fill("家中一人重病住院，月收入不足一千元")
    page.get_by_label("申请金额（元）").fill("3000")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_role("status").filter(has_text="已提交救助申请").wait_for()
    app = ReliefApplication.objects.get()
    assert page.locator("#relief-status").inner_text() == "待机关负责人审核"
    page.reload()
    assert ReliefApplication.objects.count() == 1

    # 3. the bureau's head approves
    head = _context(browser, live_server, world.head)
    page = head.new_page()
    page.goto(f"{url}/resolution/relief/{app.pk}/")
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("status").filter(has_text="已审批").wait_for()
    assert page.locator("#relief-status").inner_text() == "待资金管理机关审批"

    # 4. the fund owner approves 2,500 and pays it
    page = owner.new_page()
    page.goto(f"{url}/resolution/relief/")
    page.get_by_role("link", name=app.number).click()
    page.get_by_label("批准金额（元，默认为申请金额）").fill("2500")
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("status").filter(has_text="已审批").wait_for()
    assert page.locator("#relief-status").inner_text() == "已批准，待发放"
    assert page.locator("#relief-approved").inner_text() == "2500.00"
    page.get_by_label("发放金额（元）").fill("2500")
    page.get_by_role("button", name="发放", exact=True).click()
    page.get_by_role("status").filter(has_text="已发放").wait_for()
    assert page.locator("#relief-status").inner_text() == "已发放"
    assert page.locator("#relief-paid").inner_text() == "2500.00"
    page.reload()  # a refresh pays nothing more
    assert FundEntry.objects.filter(kind="payment").count() == 1

    # 5. the ledger: the allocation, the payment, the balance
    page.goto(f"{url}/resolution/relief/funds/{fund.pk}/")
    assert "5500.00" in page.locator("#fund-balance").inner_text()
    ledger = page.locator("#ledger").inner_text()
    assert "8000.00" in ledger and "2500.00" in ledger and app.number in ledger

    # 6. the petition's timeline (the county office sees the petition it transferred)
    page.goto(f"{url}/petitions/{held.pk}/")
    timeline = page.locator("ol.timeline").inner_text()
    for label in ("信访救助申请", "信访救助审批", "信访救助发放"):
        assert label in timeline, label
    for ctx in (owner, bureau, head):
        ctx.close()
