"""The trends page in a real browser: plotly.js (from the installed package, under the site's
content security policy) draws every chart, with no console error and no outside request."""

from __future__ import annotations

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_charts_draw_offline_under_the_csp(browser, live_server, world, register):
    from xinfang.analytics.services import rates_rebuild

    for when in (local(2025, 3, 3), local(2025, 4, 3)):
        register(received_at=when, at=when)
    rates_rebuild()
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.analyst)
    page = ctx.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    page.goto(f"{live_server.url}/analytics/trends/")
    for chart in ("chart-volume", "chart-channels", "chart-repeat"):
        page.locator(f'[data-chart="{chart}"] .main-svg').first.wait_for(timeout=15_000)
    assert not errors, errors
    assert not outside, outside
    ctx.close()
