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
