"""The portal's review request on a phone (issue 12, item 13): below the documents; the form
leads to a confirmation page that explains in plain words what happens, keeps the reason, lets
the petitioner go back without sending, and sends only on confirmation. axe-clean."""

from __future__ import annotations

import pytest
import time_machine

from conftest import local
from tests.browser.helpers import no_horizontal_scroll, phone_context
from tests.browser.test_accessibility import serious
from tests.flows import opinion_delivered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "12345678"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_review_request_is_confirmed_on_its_own_page(live_server, browser, world, register):
    from django.conf import settings

    from xinfang.core import ids
    from xinfang.petitions.models import Petition

    with time_machine.travel(local(2025, 8, 26), tick=False):
        p = opinion_delivered(world, register)
    Petition.objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, PASSWORD, settings.SECRET_KEY)
    )
    ctx = phone_context(browser)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    with time_machine.travel(local(2025, 9, 1, 10), tick=True):
        page.goto(f"{live_server.url}/portal/track/")
        page.get_by_label("查询码").fill(ids.format_tracking_code(p.tracking_code))
        page.get_by_label("查询密码").fill(PASSWORD)
        page.get_by_role("button", name="查询", exact=True).click()
        page.get_by_role("heading", name=p.title).wait_for()
        # the request sits below the documents
        docs_y = page.locator("#docs-title").bounding_box()["y"]
        assert page.locator("#review-title").bounding_box()["y"] > docs_y
        page.get_by_label("请求复查的理由").fill("监测时间不在营业高峰")
        page.get_by_role("button", name="下一步：确认申请复查").click()
        page.get_by_role("heading", name="确认申请复查").wait_for()
        explain = page.locator("#remedy-explain").inner_text()
        assert "青山县人民政府" in explain and "30 日内" in explain
        assert page.get_by_label("请求复查的理由").input_value() == "监测时间不在营业高峰"
        no_horizontal_scroll(page)
        found = serious(page)
        # going back sends nothing
        page.get_by_role("link", name="返回，不提交").click()
        page.get_by_role("heading", name=p.title).wait_for()
        assert Petition.objects.get(pk=p.pk).state == "opinion_issued"
        page.get_by_label("请求复查的理由").fill("监测时间不在营业高峰")
        page.get_by_role("button", name="下一步：确认申请复查").click()
        page.get_by_role("button", name="确认提交复查请求").click()
        page.get_by_role("status").filter(has_text="复查请求已提交").wait_for()
    ctx.close()
    assert found == [], found
    assert Petition.objects.get(pk=p.pk).state == "review_requested"
