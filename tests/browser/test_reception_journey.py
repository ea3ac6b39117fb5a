"""Reception in a real browser (issue 17): a petitioner books a reception on a phone as a new
matter and gets a booking code; the clerk receives them and writes the record with a promise;
the organ head records that the leader takes charge; the promise is on the leader's board and
the record on the petition's timeline."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.browser.helpers import desktop_context, no_horizontal_scroll, phone_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_working_day():  # type: ignore[no-untyped-def]
    from xinfang.core import clock
    from xinfang.deadlines.holidays import calendar_in_force

    d = clock.today()
    while not calendar_in_force().is_working_day(d):
        d += timedelta(days=1)
    return d


def test_a_phone_booking_is_received_recorded_and_its_promise_is_on_the_leaders_board(
    live_server, browser, world
):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.reception.models import Appointment, ReceptionRecord
    from xinfang.reception.services import SessionInput, session_publish

    leader = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    leader.display_name = "王县长"
    leader.save(update_fields=["display_name"])
    on = _next_working_day()
    s = session_publish(
        actor=world.clerk,
        data=SessionInput(
            organ=world.county_po,
            leader_id=leader.pk,
            on=on,
            starts=time(9, 0),
            ends=time(11, 30),
            place="青山县信访局接待大厅",
            fields="住房、拆迁",
            capacity=5,
        ),
    )
    url = live_server.url

    # 1. the petitioner books on a phone, as a new matter
    ctx = phone_context(browser)
    page = ctx.new_page()
    page.goto(f"{url}/portal/")
    page.get_by_role("link", name="预约接访").first.click()
    no_horizontal_scroll(page)
    page.get_by_role("link", name="青山县信访局").first.click()
    page.get_by_label("手机号码").fill("13800001111")
    page.get_by_label("新的事项（将按来访登记为信访事项）").check()
    page.get_by_label("姓名").fill("李四")
    page.get_by_label("反映的问题（一句话）").fill("小区消防通道长期被占用")
    page.get_by_label("请求、事实和理由").fill("请求依法清理占用消防通道的车辆和杂物。")
    page.get_by_role("button", name="预约").click()
    page.get_by_role("heading", name="预约成功").wait_for()
    no_horizontal_scroll(page)
    code = page.locator("#booking-code").inner_text().strip()
    assert page.locator("#query-password").inner_text().strip().isdigit()
    a = Appointment.objects.get(code=code)
    assert a.session_id == s.pk and a.petition.channel == "visit"
    page.reload()  # a refresh books nothing more
    assert Appointment.objects.count() == 1
    ctx.close()

    # 2. the clerk receives the petitioner and writes the record with a promise
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="接访", exact=True).click()
    page.goto(f"{url}/reception/sessions/{s.pk}/")
    page.get_by_role("link", name="写接谈记录").click()
    page.get_by_label("来访人", exact=True).fill("李四")
    page.get_by_label("诉求").fill("清理占用消防通道的车辆")
    page.get_by_label("接谈情况和答复").fill("当面听取诉求，答复五个工作日内组织清理。")
    page.locator("[name=promise_0]").fill("五个工作日内组织清理消防通道")
    page.locator("[name=promise_0_owner]").select_option(str(world.clerk.pk))
    page.locator("[name=promise_0_due]").fill((on + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存接谈记录").wait_for()
    record = ReceptionRecord.objects.get()
    assert Appointment.objects.get().status == "received"
    ctx.close()

    # 3. the county government's head records that the leader takes charge (包案)
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.city_head)
    page = ctx.new_page()
    page.goto(f"{url}/reception/records/{record.pk}/")
    page.get_by_role("button", name="包案", exact=True).click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    ctx.close()

    # 4. the leader's board shows the petition and the promise; the timeline shows the record
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, leader)
    page = ctx.new_page()
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="接访", exact=True).click()
    page.get_by_role("link", name="包案与承诺").click()
    assert "五个工作日内组织清理消防通道" in page.locator("#promises").inner_text()
    page.get_by_role("link", name="小区消防通道长期被占用").first.click()
    timeline = page.locator("ol.timeline").inner_text()
    assert "接谈记录" in timeline and "五个工作日内组织清理消防通道" in timeline
    ctx.close()
