"""The desk in a real browser (issue 12, browser walk): Back after a registration and the same
form sent again lands on the first receipt; after a failed submit the focus is on the error
summary (the portal's error summary carries the same autofocus), so a screen reader reads what to fix first."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = "青山县幸福小区楼下三家餐馆每晚营业至凌晨，油烟和噪声严重影响居民休息，请求依法处理。"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_back_and_send_again_shows_the_first_receipt_and_focus_goes_to_the_errors(
    live_server, browser, world
):
    from xinfang.petitions.models import Petition

    title = "来信反映小区餐馆油烟扰民（返回再提交）"
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/intake/letter/")
    page.locator("#title").fill(title)
    page.locator("#content").fill(CONTENT)
    page.locator("#p_name").fill("张三")
    page.locator("#p_phone").fill("13800000000")
    page.locator("#p_id").fill("12345")  # refused: the error summary takes the focus
    page.locator("#intake-form button[type=submit]").click()
    page.get_by_role("alert").first.wait_for()
    assert page.evaluate("document.activeElement.id") == "errors"
    page.locator("#p_id").fill("")
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_url("**/intake/receipt/**")
    first = page.url
    page.go_back()
    if page.locator("#title").input_value() != title:  # the browser did not restore the form
        page.locator("#title").fill(title)
        page.locator("#content").fill(CONTENT)
        page.locator("#p_name").fill("张三")
        page.locator("#p_phone").fill("13800000000")
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_url("**/intake/receipt/**")
    assert page.url == first
    assert "没有再次登记" in page.content()
    assert Petition.objects.filter(title=title).count() == 1
    ctx.close()

