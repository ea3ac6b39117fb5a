"""A re-review hearing (听证, Art. 36 para 2) in a real browser: the re-review organ's head
schedules it by its form (numbered notice, participants), opens it - the T10 clock shows
"paused" - and closes it with its record and outcome: T10 resumes with the hearing's day not
counted, the new due date and its reason shown, and the petition's timeline carries the notice
and the hearing's start and end. A refresh records nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_hearing_from_notice_to_record_pauses_and_resumes_t10(
    live_server, browser, world, register
):
    from xinfang.core import clock
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import Hearing
    from xinfang.resolution.tests.test_hearing import re_review_requested

    # re-review requested of the city government on 5 Jan 2026: T10 due Wednesday 4 Feb
    p = re_review_requested(world, register, on=(2026, 1, 5))
    assert Deadline.objects.get(petition=p, code="T10").due_date.isoformat() == "2026-02-04"
    url = live_server.url
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    sign_in(ctx, live_server, world.prov_head)
    page = ctx.new_page()

    # 1. schedule it from the hearings tab
    page.goto(f"{url}/resolution/supervision/")
    page.get_by_role("link", name="听证", exact=True).click()
    page.get_by_role("link", name="安排听证").click()
    page.get_by_label("信访事项查询码").fill(p.tracking_code)
    page.get_by_label("举行听证的理由（重大、复杂、疑难）").fill("涉及多户居民，事实争议较大")
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    page.get_by_label("听证时间").fill(f"{tomorrow}T09:00")
    page.get_by_label("听证地点").fill("东湖市人民政府信访听证室")
    page.get_by_label("身份 1").select_option("presiding")
    page.get_by_label("姓名 1").fill("周主持")
    page.get_by_label("身份 2").select_option("petitioner")
    page.get_by_label("姓名 2").fill("张三")
    page.get_by_role("button", name="发出听证通知").click()
    page.get_by_role("status").filter(has_text="已发出听证通知").wait_for()
    h = Hearing.objects.get()
    assert page.locator("#hearing-number").inner_text() == h.notice_number
    assert page.locator("#hearing-status").inner_text() == "已通知"
    assert page.locator("#clock-due").inner_text() == "2026-02-04"
    page.reload()  # a refresh schedules nothing more
    assert Hearing.objects.count() == 1

    # 2. open it: T10 stands still
    page.get_by_role("button", name="开始听证").click()
    page.get_by_role("status").filter(has_text="听证已开始").wait_for()
    assert page.locator("#hearing-status").inner_text() == "听证中"
    assert page.locator("#clock-due").inner_text() == "暂停计算"
    assert "暂停" in page.locator("#clock-reason").inner_text()

    # 3. close it the same day with its record: T10 runs again, one day not counted
    page.get_by_label("听证笔录").fill("主持人宣布听证开始……各方陈述意见，听证员提问……")
    page.get_by_label("听证意见").fill("听证员多数意见：原复查意见认定事实清楚。")
    page.get_by_role("button", name="结束听证").click()
    page.get_by_role("status").filter(has_text="听证已结束").wait_for()
    assert page.locator("#hearing-status").inner_text() == "已结束"
    assert page.locator("#clock-due").inner_text() == "2026-02-05"
    reason = page.locator("#clock-reason").inner_text()
    assert "1 日" in reason and "2026-02-05" in reason and "第三十六条第二款" in reason
    assert "原复查意见认定事实清楚" in page.locator("#hearing-outcome").inner_text()
    page.reload()
    d = Deadline.objects.get(petition=p, code="T10")
    assert (d.paused, d.paused_days, d.due_date.isoformat()) == (False, 1, "2026-02-05")

    # 4. the petition's timeline: the notice, the hearing held
    page.goto(f"{url}/petitions/{p.pk}/")
    timeline = page.locator("ol.timeline").inner_text()
    for label in ("听证通知", "举行听证", "听证结束"):
        assert label in timeline, label
    ctx.close()
