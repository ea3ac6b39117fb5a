"""The portal's check before sending and the anonymous box, in a real browser on a phone
(issue 12 item 13)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_anonymous_clears_the_details_and_the_check_step_keeps_the_attachment(
    live_server, browser, world, tmp_path
):
    from xinfang.petitions.models import Petition

    title = "小区门口占道经营（核对）"
    ctx = phone_context(browser)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/portal/submit/?region=990102")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("诉求、事实和理由").fill("小区门口摊贩占道经营，行人只能走机动车道，请求整治。")
    scan = tmp_path / "现场照片.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256)
    page.get_by_label("附件").set_input_files(str(scan))
    page.get_by_label("姓名或单位名称").fill("王五")
    page.get_by_label("联系电话").fill("13700000000")
    page.get_by_label("通信地址").fill("青山县幸福路 1 号")

    page.get_by_label("匿名提出").check()
    for label in ("姓名或单位名称", "联系电话", "通信地址"):
        field = page.get_by_label(label)
        assert field.input_value() == "" and field.is_disabled(), label
    assert "不会登记" in page.locator("#anonymous-note").inner_text()
    page.get_by_label("匿名提出").uncheck()
    assert page.get_by_label("姓名或单位名称").is_enabled()
    page.get_by_label("姓名或单位名称").fill("王五")

    page.get_by_label("我已阅读上面的个人信息处理告知").check()
    page.get_by_role("button", name="下一步：核对提交内容").click()
    page.get_by_role("heading", name="核对提交内容").wait_for()
    summary = page.locator("#confirm-summary").inner_text()
    assert title in summary and "王五" in summary and "现场照片.png" in summary
    assert not Petition.objects.filter(title=title).exists()

    page.get_by_role("button", name="返回修改").click()
    assert page.get_by_label("标题", exact=True).input_value() == title
    assert "现场照片.png" in page.locator("#held-uploads").inner_text()
    page.get_by_role("button", name="下一步：核对提交内容").click()
    page.get_by_role("button", name="确认提交").click()
    page.get_by_role("heading", name="信访事项已提交").wait_for()
    p = Petition.objects.get(title=title)
    assert [a.original_name for a in p.attachments.all()] == ["现场照片.png"]
    ctx.close()
