"""The transfer chain in a real browser (issue 20): the city petition office transfers a county
matter down to the county office, which transfers it to the county housing bureau (two levels);
the bureau objects with its reasons; the county office finds it back on its worklist, reads the
chain (who sent it to whom, each office's share, on time, the objection and its reasons), agrees
and re-routes it; the chain then shows two rounds and where it arrived."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.helpers import desktop_context, sign_in, staff_act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "幸福小区楼下餐馆油烟噪声扰民（逐级转送）"
REASON = "餐饮油烟噪声不属本局职责，应由县市场监督管理局处理"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _open(browser, live_server, user, petition_id):  # type: ignore[no-untyped-def]
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, user)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/petitions/{petition_id}/")
    return ctx, page


def test_a_transfer_down_two_levels_an_objection_and_the_re_route(
    live_server, browser, world, register
):
    from xinfang.directory.models import Level, OrganKind
    from xinfang.directory.services import organ_create
    from xinfang.petitions.models import Petition

    market = organ_create(
        name="青山县市场监督管理局",
        kind=OrganKind.COMPETENT,
        level=Level.COUNTY,
        region=world.county,
        parent=world.county_gov,
    )
    p = register(
        organ=world.city_po, actor=world.city_clerk, title=TITLE, received_at=timezone.now()
    ).petition

    # the city office sends it down to the county office
    ctx, page = _open(browser, live_server, world.city_clerk, p.pk)
    staff_act(page, "转送", select={"接收机关": {"label": "青山县信访局"}})
    chain = page.locator("#chain-panel")
    assert "东湖市信访局" in chain.inner_text() and "青山县信访局" in chain.inner_text()
    ctx.close()

    # the county office finds it on its worklist, with its own share, and passes it on
    ctx, page = _open(browser, live_server, world.clerk, p.pk)
    page.goto(f"{live_server.url}/worklist/")
    page.get_by_role("link", name=TITLE).click()
    assert "本级 4 日" in page.locator("#chain-panel").inner_text()
    staff_act(page, "转送", select={"接收机关": {"label": "青山县住房和城乡建设局"}})
    ctx.close()

    # the bureau objects: not its matter, with reasons (Art. 23 para 3)
    ctx, page = _open(browser, live_server, world.handler, p.pk)
    staff_act(page, "提出异议", fill={"异议理由": REASON})
    ctx.close()
    assert Petition.objects.get(pk=p.pk).current_organ_id == world.county_po.pk

    # back on the county office's worklist; the chain shows the objection and its reasons
    ctx, page = _open(browser, live_server, world.clerk, p.pk)
    page.goto(f"{live_server.url}/worklist/")
    page.get_by_role("link", name=TITLE).click()
    text = page.locator("#chain-panel").inner_text()
    assert REASON in text and "提出异议" in text and "期内提出" in text
    assert "按时" in text and "超时" not in text
    staff_act(page, "同意异议并收回", fill={"理由或说明": "同意，改送县市场监督管理局"})
    staff_act(page, "转送", select={"接收机关": {"label": market.name}})
    text = page.locator("#chain-panel").inner_text()
    assert "退回信访部门 1 次" in text and "共分流 2 次" in text  # one objection: routed twice
    assert "到达承办机关" in text and market.name in text
    rows = page.locator("#chain-panel tbody tr")
    assert rows.count() == 5  # down, down, objection, agreed, re-routed
    ctx.close()
    assert Petition.objects.get(pk=p.pk).current_organ_id == market.pk
