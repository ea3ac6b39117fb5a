"""Supervision (督办, Art. 40) in a real browser: the county petition office issues a numbered
notice to the housing bureau over a petition it transferred, the bureau's head reads it from the
menu and replies in writing, and the office reads the numbered reply."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})


def test_a_supervision_notice_and_its_written_reply(live_server, browser, world, register):
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.resolution.models import SupervisionNotice

    p = register().petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        data={"to_organ_id": world.housing.pk},
    )
    url = live_server.url

    # 1. the county office issues the notice from the menu
    office = _context(browser)
    sign_in(office, live_server, world.clerk)
    page = office.new_page()
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="督办", exact=True).click()
    page.get_by_role("link", name="发出督办通知").click()
    page.get_by_label("被督办机关").select_option(str(world.housing.pk))
    page.get_by_label("拖延").check()
    page.get_by_label("督办的信访事项（查询码，每行一个）").fill(p.tracking_code)
    page.get_by_label("存在的问题和督办要求").fill("转送后逾期未书面告知是否受理，请依法办理。")
    page.get_by_role("button", name="发出").click()
    page.get_by_role("status").filter(has_text="已发出督办通知").wait_for()
    n = SupervisionNotice.objects.get()
    assert page.locator("#notice-number").inner_text() == n.number
    assert "拖延" in page.locator("#notice-reasons").inner_text()
    page.reload()  # a refresh never issues twice
    assert SupervisionNotice.objects.count() == 1
    p.refresh_from_db()
    assert p.supervised

    # 2. the bureau's head reads it from the menu and replies in writing
    bureau = _context(browser)
    sign_in(bureau, live_server, world.head)
    page = bureau.new_page()
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="督办", exact=True).click()
    page.get_by_role("link", name=n.number).click()
    assert page.locator("#reply-status").inner_text() == "尚未书面反馈。"
    page.get_by_role("button", name="书面反馈").click()  # empty: the browser asks for it
    assert page.locator("#reply-status").is_visible()
    page.get_by_label("办理情况（书面反馈）").fill("已于收到督办通知次日书面告知信访人受理。")
    page.get_by_role("button", name="书面反馈").click()
    page.get_by_role("status").filter(has_text="已书面反馈").wait_for()
    n.refresh_from_db()
    assert n.status == "replied" and n.reply_number
    assert page.locator("#reply-number").inner_text() == n.reply_number
    assert "按期反馈" in page.locator("#reply").inner_text()

    # 3. the office reads the numbered reply
    page = office.new_page()
    page.goto(f"{url}/resolution/supervision/")
    page.get_by_role("link", name=n.number).click()
    assert "已于收到督办通知次日书面告知信访人受理。" in page.locator("#reply").inner_text()
    assert page.locator("#reply-number").inner_text() == n.reply_number
    office.close()
    bureau.close()
