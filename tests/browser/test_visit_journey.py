"""A down-visit in a real browser (issue 17, Art. 18 para 2): the county office plans an
accompanied visit (带案下访) with a petition by its tracking code; on the visit the record is
written from the plan with a promise owned by the leading official; the petition's timeline
shows the visit's record; the plan is closed with its outcome; the promise is on the leader's
board."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_down_visit_from_plan_to_record_timeline_outcome_and_the_leaders_board(
    live_server, browser, world, register
):
    from xinfang.core import clock
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.reception.models import ReceptionRecord, VisitPlan

    leader = staff_create(
        username="leaderli", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    leader.display_name = "李副县长"
    leader.save(update_fields=["display_name"])
    p = register(title="幸福村村道塌陷影响出行").petition
    today = clock.today()
    url = live_server.url

    # 1. the clerk plans the visit from the reception menu
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="接访", exact=True).click()
    page.get_by_role("link", name="下访带访").click()
    page.get_by_role("link", name="制定下访计划").click()
    page.get_by_label("方式").select_option(label="带案下访（带访）")
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("地点").fill("幸福镇便民服务中心")
    page.get_by_label("带队领导").select_option(label="李副县长（青山县人民政府）")
    page.get_by_label("拟接谈的信访事项（信访件编号，每行一个）").fill(p.tracking_code)
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已制定下访计划").wait_for()
    plan = VisitPlan.objects.get()

    # 2. on the visit: the record with a promise owned by the leading official
    page.locator("#visit-petitions").get_by_role("link", name="写接谈记录").click()
    page.get_by_label("来访人", exact=True).fill("陈志强")
    page.get_by_label("诉求").fill("修复村道塌陷路段")
    page.get_by_label("接谈情况和答复").fill("到现场察看塌陷路段，当场明确修复方案。")
    page.locator("[name=promise_0]").fill("十五日内完成塌陷路段修复")
    page.locator("[name=promise_0_owner]").select_option(str(leader.pk))
    page.locator("[name=promise_0_due]").fill((today + timedelta(days=15)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存接谈记录").wait_for()
    assert ReceptionRecord.objects.get().visit_id == plan.pk
    assert "幸福镇便民服务中心" in page.locator("main").inner_text()

    # 3. the petition's timeline shows the visit's record
    page.get_by_role("link", name="幸福村村道塌陷影响出行").first.click()
    timeline = page.locator("ol.timeline").inner_text()
    assert "带访接谈记录" in timeline and "十五日内完成塌陷路段修复" in timeline

    # 4. the plan is closed with its outcome
    page.goto(f"{url}/reception/visits/{plan.pk}/")
    page.get_by_label("已完成").check()
    page.get_by_label("下访结果或取消原因 *").fill("当面答复，明确修复时限。")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已登记下访结果").wait_for()
    assert page.locator("#visit-status").inner_text() == "已完成"
    ctx.close()

    # 5. the promise is on the leading official's board
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, leader)
    page = ctx.new_page()
    page.goto(f"{url}/reception/board/")
    assert "十五日内完成塌陷路段修复" in page.locator("#promises").inner_text()
    ctx.close()
