"""A backlog case (积案化解) in a real browser, from the daily proposal to the close-out: the
county office confirms it with a leader in charge, the housing bureau's head writes the plan, a
milestone (done), progress and the close-out; a refresh never records twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})


def test_a_backlog_case_from_proposal_to_close_out(live_server, browser, world, register):
    from xinfang.core import clock
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.resolution.models import BacklogCase, BacklogCriterion, BacklogProgress
    from xinfang.resolution.services import backlog_propose_due

    p = register().petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        data={"to_organ_id": world.housing.pk},
    )
    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=90)
    assert backlog_propose_due(now=clock.now() + timedelta(days=91)) == {"proposed": 1}
    case = BacklogCase.objects.get()
    url = live_server.url

    # 1. the county office finds the proposal on the board and confirms it
    office = _context(browser)
    sign_in(office, live_server, world.clerk)
    page = office.new_page()
    page.goto(f"{url}/resolution/supervision/")
    page.get_by_role("link", name="积案化解").click()
    page.get_by_role("link", name=f"积案 {case.pk}").click()
    assert "91" in page.locator("#case-reason").inner_text()
    page.get_by_label("包案领导（确认时必填）").fill("王副县长")
    page.get_by_role("button", name="确认列为积案").click()
    page.get_by_role("status").filter(has_text="已确认").wait_for()
    assert page.locator("#case-status").inner_text() == "化解中"
    p.refresh_from_db()
    assert p.backlog

    # 2. the housing bureau's head works it off
    bureau = _context(browser)
    sign_in(bureau, live_server, world.head)
    page = bureau.new_page()
    page.goto(f"{url}/resolution/backlog/{case.pk}/")
    page.get_by_label("化解方案").fill("一、核实情况；二、协调补偿。")
    page.get_by_role("button", name="保存化解方案").click()
    page.get_by_role("status").filter(has_text="已保存化解方案").wait_for()
    page.get_by_label("节点", exact=True).fill("完成核实")
    page.get_by_label("计划完成日期").fill((clock.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="添加节点").click()
    page.get_by_role("status").filter(has_text="已添加化解节点").wait_for()
    page.get_by_role("button", name="完成", exact=True).click()
    page.get_by_role("status").filter(has_text="已完成节点").wait_for()
    page.get_by_label("进展情况").fill("已约见信访人，达成初步意向。")
    page.get_by_role("button", name="记录进展").click()
    page.get_by_role("status").filter(has_text="已记录进展").wait_for()
    page.reload()  # a refresh never records twice
    assert BacklogProgress.objects.count() == 1
    page.get_by_label("化解情况").fill("已签订补偿协议并兑现。")
    page.get_by_role("button", name="化解办结").click()
    page.get_by_role("status").filter(has_text="积案已化解").wait_for()
    assert page.locator("#case-status").inner_text() == "已化解"
    assert "已签订补偿协议并兑现。" in page.locator("#case-outcome").inner_text()
    p.refresh_from_db()
    assert not p.backlog
    office.close()
    bureau.close()
