"""Issue 11 in a real browser: a phone number the clerk types at the intake desk or in the search
box reaches the server by POST, never in a URL (access logs, proxies and the browser's history
keep URLs). The similar-petitions list still fills in while typing; the results' 台账 is asked for
by POST as well."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800000000"  # the register fixture's petitioner


def test_a_typed_phone_number_never_travels_in_a_url(live_server, browser, world, register):
    title = register().petition.title
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))

    page.goto(f"{live_server.url}/intake/letter/")
    page.locator("#p_phone").fill(PHONE)
    page.locator("#similar").get_by_text(title, exact=False).first.wait_for()

    page.goto(f"{live_server.url}/search/")
    page.locator("#s-q").fill(PHONE)
    page.get_by_role("button", name="检索", exact=True).click()
    page.get_by_role("link", name=title).wait_for()
    assert PHONE not in page.url
    # the results' 台账 (issue 16): asked for by POST too, the file downloaded, no URL with it
    with page.expect_download() as download:
        page.locator("#export-search").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert urls and not [u for u in urls if PHONE in u]
    ctx.close()
