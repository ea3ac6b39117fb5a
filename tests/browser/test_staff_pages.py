"""A clerk logs in, sees the worklist in Chinese and transfers a petition, in a real browser."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_logs_in_and_transfers_a_petition_from_its_page(live_server, page, world, register):
    from xinfang.petitions.models import Petition

    p = register(title="幸福小区餐馆油烟扰民").petition
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("test-pass-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/worklist/")
    assert "幸福小区餐馆油烟扰民" in page.content()
    page.get_by_role("link", name="幸福小区餐馆油烟扰民").click()
    page.get_by_text("转送", exact=True).first.click()
    page.get_by_label("接收机关").first.select_option(label="青山县住房和城乡建设局")
    page.get_by_role("button", name="转送").click()
    page.wait_for_selector("text=已转送")
    assert Petition.objects.get(pk=p.pk).state == "transferred"
