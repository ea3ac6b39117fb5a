"""axe-core over the main pages (issue 12 item 18): the portal's submit form (fresh, after a
failed submit, the check step), its status page, the desk's letter and visit forms, the worklist
and the petition page, with zero serious or critical violations of WCAG 2.1 A/AA.

axe-core comes from the PyPI package ``axe-playwright-python`` (its bundled ``axe.min.js``,
evaluated through Playwright, not served by the site and never fetched from a CDN)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, phone_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The serious and critical violations axe-core finds on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_portal_pages_have_no_serious_violations(live_server, browser, world, register):
    from django.conf import settings

    from xinfang.core import ids

    reg = register(title="幸福路路灯损坏三个月无人修")
    p = reg.petition
    ctx = phone_context(browser)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    found: dict[str, list[str]] = {}

    page.goto(f"{live_server.url}/portal/submit/?region=990102")
    found["submit"] = serious(page)
    page.get_by_role("button", name="下一步：核对提交内容").click()  # nothing filled in
    page.locator("#errors").wait_for()
    found["submit with errors"] = serious(page)
    page.get_by_label("标题", exact=True).fill("小区门口占道经营")
    page.get_by_label("诉求、事实和理由").fill("小区门口摊贩占道经营，请求整治。")
    page.get_by_label("匿名提出").check()
    page.get_by_label("我已阅读上面的个人信息处理告知").check()
    page.get_by_role("button", name="下一步：核对提交内容").click()
    page.get_by_role("heading", name="核对提交内容").wait_for()
    found["check step"] = serious(page)

    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("查询码").fill(ids.format_tracking_code(p.tracking_code))
    page.get_by_label("查询密码").fill(reg.query_password)
    page.get_by_role("button", name="查询", exact=True).click()
    page.get_by_role("heading", name=p.title).wait_for()
    found["status"] = serious(page)
    ctx.close()
    assert settings.LANGUAGE_CODE  # the pages above were the default language's
    assert found == {k: [] for k in found}, found


def test_the_staff_pages_have_no_serious_violations(live_server, browser, world, register):
    p = register(title="楼下餐馆夜间噪声扰民").petition
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    found: dict[str, list[str]] = {}
    for name, path in (
        ("letter form", "/intake/letter/"),
        ("visit form", "/intake/visit/"),
        ("worklist", "/worklist/"),
        ("petition page", f"/petitions/{p.pk}/"),
    ):
        page.goto(f"{live_server.url}{path}")
        found[name] = serious(page)
    ctx.close()
    assert found == {k: [] for k in found}, found


def test_the_check_finds_a_planted_fault(browser):
    """A check that cannot fail is a defect: an image without alt text and an unlabelled field."""
    ctx = desktop_context(browser)
    page = ctx.new_page()
    page.set_content('<html lang="zh"><title>t</title><main><img src="x.png"><input></main></html>')
    found = serious(page)
    ctx.close()
    assert any(f.startswith("image-alt") for f in found) and any(
        f.startswith("label") for f in found
    ), found
