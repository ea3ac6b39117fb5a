"""Joint handling in a real browser (issue 17, Art. 18 para 3): the county petition office
assigns a petition to two assisting organs from the petition page, each with a due date inside
the statutory limit; the head cannot sign the one answer while a reply is missing (what was
typed stays); the housing bureau and the court reply in writing from their own lists; the lead
organ's head then sees both replies and signs the answer."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reply(browser, live_server, user, text: str, hidden: str = "") -> None:  # type: ignore[no-untyped-def]
    """An assisting organ's staff open their task from the joint list and reply in writing."""
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, user)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/search/")
    page.get_by_role("link", name="接访", exact=True).click()
    page.get_by_role("link", name="联合办理", exact=True).click()
    tasks = page.locator("table.list").first
    assert "待答复" in tasks.inner_text()
    tasks.get_by_role("link", name="小区楼下餐馆油烟噪声扰民").click()
    page.get_by_label("书面答复").fill(text)
    page.get_by_role("button", name="提交书面答复").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    # the other organ's reply is not shown to this one, only that it has replied
    table = page.locator("table.list").inner_text()
    assert text in table and (not hidden or hidden not in table)
    ctx.close()


def test_a_joint_case_from_assignment_through_two_replies_to_the_signed_answer(
    live_server, browser, world, register
):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.reception.models import JointHandling
    from xinfang.reception.services import statutory_limit

    court_head = staff_create(
        username="courthead", password="test-pass-123", organ=world.court, roles=[Role.ORGAN_HEAD]
    )
    from xinfang.core import clock

    petition = register(received_at=clock.now()).petition  # today, at the county office
    limit = statutory_limit(petition.pk)
    assert limit is not None
    url = live_server.url

    # 1. the clerk assigns the case from the petition page: the housing bureau and the court
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{url}/petitions/{petition.pk}/")
    page.get_by_role("link", name="安排联合办理").click()
    assert limit.isoformat() in page.locator("main").inner_text()
    rows = page.locator("fieldset")
    rows.nth(0).get_by_label("协办机关").select_option(label=world.housing.name)
    rows.nth(0).get_by_label("协办任务").fill("核查餐馆油烟排放")
    rows.nth(0).get_by_label("完成时限").fill(limit.isoformat())
    rows.nth(1).get_by_label("协办机关").select_option(label=world.court.name)
    rows.nth(1).get_by_label("协办任务").fill("说明诉讼途径")
    rows.nth(1).get_by_label("完成时限").fill(limit.isoformat())
    page.get_by_role("button", name="安排", exact=True).click()
    page.get_by_role("status").filter(has_text="已安排联合办理").wait_for()
    j = JointHandling.objects.get()
    assert j.tasks.count() == 2 and j.limit == limit
    page.reload()  # a refresh of the case page starts nothing twice
    assert JointHandling.objects.count() == 1
    ctx.close()

    # 2. the lead organ's head tries to sign before any reply: refused, the text is kept
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.po_head)
    page = ctx.new_page()
    page.goto(f"{url}/reception/joint/{j.pk}/")
    page.get_by_label("统一答复").fill("经联合办理，答复如下：草稿")
    page.get_by_role("button", name="签发统一答复").click()
    page.get_by_role("alert").filter(has_text="尚有协办机关未书面答复").wait_for()
    assert page.get_by_label("统一答复").input_value() == "经联合办理，答复如下：草稿"
    ctx.close()

    # 3. the two assisting organs reply in writing, each from its own list
    _reply(browser, live_server, world.head, "已现场核查，三家餐馆油烟净化设施已责令整改。")
    _reply(
        browser,
        live_server,
        court_head,
        "如对处理结果不服，可依法提起行政诉讼。",
        hidden="三家餐馆油烟净化设施已责令整改",
    )

    # 4. the head sees both replies and signs the one answer the petitioner receives
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.po_head)
    page = ctx.new_page()
    page.goto(f"{url}/reception/joint/")
    page.get_by_role("link", name="小区楼下餐馆油烟噪声扰民").click()
    replies = page.locator("table.list").inner_text()
    assert "三家餐馆油烟净化设施已责令整改" in replies and "可依法提起行政诉讼" in replies
    page.get_by_label("统一答复").fill(
        "经住房和城乡建设局、人民法院联合办理，答复如下：已责令整改。"
    )
    page.get_by_role("button", name="签发统一答复").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    assert "已责令整改" in page.locator("#joint-answer").inner_text()
    assert "pohead" in page.locator("main").inner_text() or world.po_head.get_full_name() in (
        page.locator("main").inner_text()
    )
    assert page.get_by_role("button", name="签发统一答复").count() == 0
    j.refresh_from_db()
    assert j.signed_by_id == world.po_head.pk and j.answer.startswith("经住房")
    ctx.close()
