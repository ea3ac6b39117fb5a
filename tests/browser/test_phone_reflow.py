"""Staff pages reflow on a phone (issue 12 item 15): at 375 px the worklist, the petition page
and the desk forms scroll only down, never sideways."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in

#: The elements that reach past the right edge, for the failure message.
WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 377)
  .slice(0, 6).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' +
  Math.round(e.getBoundingClientRect().right))"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_staff_pages_do_not_scroll_sideways_at_375_px(live_server, browser, world, register):
    p = register(title="楼下餐馆夜间噪声扰民，油烟和噪声严重影响居民休息").petition
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    wide = {}
    for path in ("/worklist/", f"/petitions/{p.pk}/", "/intake/letter/", "/intake/visit/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 375 + 1:
            wide[path] = (width, page.evaluate(WIDEST))
    ctx.close()
    assert wide == {}, wide


def test_the_worklist_on_a_phone_is_cards_read_downwards_not_a_box_scrolled_sideways(
    live_server, browser, world, register
):
    """At 390 px each worklist row is a card: the title first, then each value with its
    column's name (期限, 查询码, 状态 …); the table's box does not scroll sideways."""
    from tests.browser.helpers import phone_context
    from tests.browser.test_accessibility import serious

    register(title="楼下餐馆夜间噪声扰民，油烟和噪声严重影响居民休息")
    register(title="小区路灯损坏")
    ctx = phone_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/worklist/")
    box = page.locator(".table-scroll")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), box.evaluate(
        "b => [b.scrollWidth, b.clientWidth]"
    )
    rows = page.locator("table.cards tbody tr")
    assert rows.count() == 2
    card = rows.first
    assert card.evaluate("r => r.getBoundingClientRect().right") <= 390
    # the title is on top of the card, and the values carry their column's names
    title_top = card.locator("td.card-title").evaluate("e => e.getBoundingClientRect().top")
    tops = card.locator("td:not(.card-title)").evaluate_all(
        "es => es.map(e => e.getBoundingClientRect().top)"
    )
    assert all(title_top < t for t in tops), (title_top, tops)
    labels = card.locator("td:not(.card-title)").evaluate_all(
        "es => es.map(e => getComputedStyle(e, '::before').content)"
    )
    assert labels[:3] == ['"期限："', '"查询码："', '"状态："'], labels
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 391
    found = serious(page)
    assert found == [], found
    ctx.close()
