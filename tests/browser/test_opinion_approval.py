"""Draft → approval of the handling opinion in a real browser (issue 12, items 7 and 8): the
handler drafts on the full-page editor and saves, submits; the organ head returns it with a
reason; the handler reads the reason, corrects and submits again; the head signs; only then does
the petitioner read the opinion on the portal."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, phone_context, sign_in
from tests.flows import OPINION, act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "12345678"
FIRST = "经现场核查，餐馆已安装油烟净化设施（草稿，未写监测数据）。"
SECOND = "经夜间噪声监测，餐馆边界噪声 52 分贝，未超过标准；油烟净化设施已安装并运行。"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _ago(days: int) -> tuple[int, int, int]:
    from xinfang.core import clock

    d = clock.today() - dt.timedelta(days=days)
    return (d.year, d.month, d.day)


def test_the_handler_drafts_the_head_returns_then_signs_and_only_then_the_petitioner_reads_it(
    live_server, browser, world, register
):
    from django.conf import settings

    from xinfang.core import ids
    from xinfang.petitions.models import Petition

    p = register(received_at=local(*_ago(12)), at=local(*_ago(11))).petition
    act(world, p, "transfer", world.clerk, _ago(10), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, _ago(7), category="appeal", route=6)
    act(world, p, "start_handling", world.head, _ago(7))
    Petition.objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, PASSWORD, settings.SECRET_KEY)
    )
    url = live_server.url

    # --- the handler drafts, saves, previews and submits ---------------------------------------
    hctx = desktop_context(browser)
    sign_in(hctx, live_server, world.handler)
    hp = hctx.new_page()
    hp.goto(f"{url}/petitions/{p.pk}/")
    assert "负责人签发" in hp.locator("#head-signs").inner_text()
    hp.get_by_role("link", name="起草：出具处理意见书").click()
    hp.get_by_role("heading", name="出具处理意见书").wait_for()
    assert hp.get_by_role("button", name="签发", exact=True).count() == 0  # not the handler's
    hp.get_by_label("处理结论").select_option(OPINION["outcome"])
    hp.get_by_label("信访人的请求").fill(OPINION["request"])
    hp.get_by_label("事实和理由").fill(FIRST)
    hp.get_by_role("button", name="保存草稿").click()
    hp.get_by_role("status").filter(has_text="草稿已保存").wait_for()
    assert hp.get_by_label("事实和理由").input_value() == FIRST
    # submitting it incomplete is refused and keeps every word
    hp.get_by_role("button", name="报送负责人签发").click()
    hp.locator("#error-summary").wait_for()
    assert hp.get_by_label("事实和理由").input_value() == FIRST
    hp.get_by_label(re.compile("^处理意见")).fill(OPINION["decision"])
    hp.get_by_label("依据").fill(OPINION["legal_basis"])
    hp.get_by_role("button", name="保存并预览").click()
    hp.get_by_role("heading", name="信访处理意见书").wait_for()
    preview = hp.content()
    assert FIRST in preview and "签发时编号" in preview and "尚未签发" in preview
    hp.get_by_role("link", name="返回编辑").click()
    hp.get_by_role("button", name="报送负责人签发").click()
    hp.get_by_role("status").filter(has_text="已报送负责人签发").wait_for()
    assert "待签发" in hp.locator("#draft-status").inner_text()

    # --- the head returns it with a reason -----------------------------------------------------
    octx = desktop_context(browser)
    sign_in(octx, live_server, world.head)
    op = octx.new_page()
    op.goto(f"{url}/worklist/")
    op.locator("#drafts").get_by_role("link", name=p.title).click()
    op.get_by_role("heading", name="出具处理意见书").wait_for()
    assert op.get_by_label("事实和理由").input_value() == FIRST
    op.get_by_label("退回意见").fill("事实部分请写明夜间噪声监测数据")
    op.get_by_role("button", name="退回修改").click()
    op.get_by_role("status").filter(has_text="已退回承办人修改").wait_for()

    # --- the handler reads the reason on the worklist, corrects and submits again --------------
    hp.goto(f"{url}/worklist/")
    drafts = hp.locator("#drafts")
    assert "事实部分请写明夜间噪声监测数据" in drafts.inner_text()
    drafts.get_by_role("link", name=p.title).click()
    assert "事实部分请写明夜间噪声监测数据" in hp.locator("#returned-note").inner_text()
    hp.get_by_label("事实和理由").fill(SECOND)
    hp.get_by_role("button", name="报送负责人签发").click()
    hp.get_by_role("status").filter(has_text="已报送负责人签发").wait_for()

    # nothing has reached the petitioner yet
    pctx = phone_context(browser)
    pp = pctx.new_page()
    pp.goto(f"{url}/portal/track/")
    pp.get_by_label("查询码").fill(p.tracking_code)
    pp.get_by_label("查询密码").fill(PASSWORD)
    pp.get_by_role("button", name="查询", exact=True).click()
    pp.get_by_role("heading", name=p.title).wait_for()
    assert pp.get_by_role("link", name="信访处理意见书", exact=True).count() == 0
    assert FIRST not in pp.content() and SECOND not in pp.content()

    # --- the head signs ------------------------------------------------------------------------
    op.goto(f"{url}/petitions/{p.pk}/draft/issue_opinion/")
    assert op.get_by_label("事实和理由").input_value() == SECOND
    op.get_by_role("button", name="签发", exact=True).click()
    op.get_by_role("status").filter(has_text="已签发").wait_for()
    timeline = op.locator("ol.timeline").inner_text()
    assert "退回修改" in timeline and "事实部分请写明夜间噪声监测数据" in timeline

    # --- the petitioner reads the signed opinion -----------------------------------------------
    pp.reload()
    pp.get_by_role("link", name="信访处理意见书", exact=True).click()
    pp.get_by_role("heading", name="信访处理意见书").wait_for()
    opinion = pp.content()
    assert SECOND in opinion and FIRST not in opinion and "救济途径和期限" in opinion
    for c in (hctx, octx, pctx):
        c.close()
