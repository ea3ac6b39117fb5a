"""Keyboard users are taken to what went wrong (issue 12, items 18 and 10): the routing-rule form
and the opinion editor put focus on their error summary when they come back with errors, as the
desk and portal forms do; the worklist's phone scroll box can be reached by keyboard (axe's
``scrollable-region-focusable``).

Planted faults (each watched failing, then restored): ``autofocus`` taken off the error summary
of ``routing/rule_edit.html`` and of ``web/editor.html``; ``tabindex="0"`` taken off the
worklist's ``.table-scroll`` box (the third test then fails)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, phone_context, sign_in
from tests.browser.test_accessibility import serious
from tests.flows import OPINION, act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _focused_id(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_the_routing_rule_form_focuses_its_error_summary(live_server, browser, world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    admin = staff_create(
        username="f-admin", password="test-pass-123", organ=world.county_po, roles=[Role.ADMIN]
    )
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, admin)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/routing/rules/new/")
    page.get_by_label("关键词", exact=False).fill("路灯")
    page.get_by_role("button", name="保存").click()  # no organ chosen
    page.locator("#error-summary").wait_for()
    assert _focused_id(page) == "error-summary"
    assert page.get_by_label("关键词", exact=False).input_value() == "路灯"  # kept
    ctx.close()


def test_the_opinion_editor_focuses_its_error_summary(live_server, browser, world, register):
    from xinfang.core import clock

    def ago(n: int) -> tuple[int, int, int]:
        d = clock.today() - dt.timedelta(days=n)
        return (d.year, d.month, d.day)

    p = register(received_at=local(*ago(12)), at=local(*ago(11))).petition
    act(world, p, "transfer", world.clerk, ago(10), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, ago(7), category="appeal", route=6)
    act(world, p, "start_handling", world.head, ago(7))
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.handler)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    page.get_by_role("link", name="起草：出具处理意见书").click()
    page.get_by_role("heading", name="出具处理意见书").wait_for()
    page.get_by_label("处理结论").select_option(OPINION["outcome"])
    page.get_by_label("信访人的请求").fill(OPINION["request"])
    page.get_by_role("button", name="报送负责人签发").click()  # facts, decision, basis missing
    page.locator("#error-summary").wait_for()
    assert _focused_id(page) == "error-summary"
    assert page.get_by_label("信访人的请求").input_value() == OPINION["request"]
    ctx.close()


def test_the_worklist_on_a_phone_has_a_keyboard_reachable_scroll_box(
    live_server, browser, world, register
):
    register(title="楼下餐馆夜间噪声扰民，油烟和噪声严重影响居民休息")
    ctx = phone_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/worklist/")
    box = page.get_by_role("region", name="按最近期限排序", exact=False)
    assert box.get_attribute("tabindex") == "0"
    # the box, not the page, scrolls sideways
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390 + 1
    found = serious(page)
    ctx.close()
    assert found == [], found
