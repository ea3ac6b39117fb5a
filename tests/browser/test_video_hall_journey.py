"""Three-level video reception and the one-stop hall in a real browser (issue 17, Art. 18
paras 2-3): the county office schedules a video session, joins the city and province levels
to it and shows the meeting link from the video service; a petition is booked at the desk;
on the day the petitioner arrives in the hall (签到), is called in (叫号) and received; the
one record names each level's participants (attendance).

The day is the next working day at 10:00 (time travels, ticking), so the hall's same-day steps
work whatever day the suite runs on."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_video_session_joins_three_levels_and_its_petitioner_is_received_through_the_hall(
    live_server, browser, world, register, settings
):
    import time_machine

    from xinfang.core import clock
    from xinfang.deadlines.holidays import calendar_in_force
    from xinfang.directory.models import Level, OrganKind, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.reception.models import Appointment, ReceptionRecord
    from xinfang.reception.services import SessionInput, session_publish

    settings.XINFANG_VIDEO_BACKEND = "jitsi"  # builds the link only: no service is called
    settings.XINFANG_JITSI_URL = "https://meet.example.gov.cn"
    day = clock.today()
    while not calendar_in_force().is_working_day(day):
        day += timedelta(days=1)
    prov_po = organ_create(
        name="示范省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE,
        region=world.province, parent=world.prov_gov,
    )  # fmt: skip
    leader = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    leader.display_name = "王县长"
    leader.save(update_fields=["display_name"])
    p = register(title="征地补偿款迟迟未发放").petition
    url = live_server.url

    with time_machine.travel(local(day.year, day.month, day.day, 10), tick=True):
        s = session_publish(
            actor=world.clerk,
            data=SessionInput(
                organ=world.county_po, leader_id=leader.pk, on=day, starts=time(14, 0),
                ends=time(16, 0), place="县信访局视频接访室", video=True, capacity=3,
                kind="video",
            ),
        )  # fmt: skip
        ctx = desktop_context(browser)
        sign_in(ctx, live_server, world.clerk)
        page = ctx.new_page()

        # 1. the session joins the city and the province; its link comes from the video service
        page.goto(f"{url}/reception/sessions/{s.pk}/")
        page.get_by_label("参加机关 1").select_option(label=f"市级 · {world.city_po.name}")
        page.get_by_label("参加机关 2").select_option(label=f"省级 · {prov_po.name}")
        page.get_by_role("button", name="保存").last.click()
        page.get_by_role("status").filter(has_text="已保存").wait_for()
        levels = page.locator("#levels").inner_text()
        assert world.city_po.name in levels and prov_po.name in levels
        link = page.locator("#room-url").get_attribute("href")
        assert (
            link.startswith("https://meet.example.gov.cn/xinfang-") and p.tracking_code not in link
        )

        # 2. the petition is booked at the desk
        page.get_by_label("查询码").fill(p.tracking_code)
        page.get_by_role("button", name="预约", exact=True).click()
        page.get_by_role("status").filter(has_text="已预约").wait_for()
        a = Appointment.objects.get()

        # 3. the hall: arrival, then called in, then the record
        page.get_by_role("link", name="接待大厅").click()
        row = page.locator(f"#a-{a.pk}")
        assert "未到" in row.inner_text() and "视频接访" in page.locator(f"#s-{s.pk}").inner_text()
        row.get_by_role("button", name="签到").click()
        page.locator(f"#a-{a.pk}").get_by_role("button", name="叫号").click()
        row = page.locator(f"#a-{a.pk}")
        assert "接谈中" in row.inner_text()
        row.get_by_role("link", name="写接谈记录").click()
        page.get_by_label("来访人", exact=True).fill("赵大爷")
        page.get_by_label("诉求").fill("发放征地补偿款")
        page.get_by_label("接谈情况和答复").fill("省市县三级共同接谈，县政府明确一个月内发放。")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("status").filter(has_text="已保存接谈记录").wait_for()

        # 4. attendance: each level's participants on the one record
        page.get_by_label(world.county_po.name, exact=True).fill("王县长、县信访局 李四")
        page.get_by_label(world.city_po.name, exact=True).fill("市信访局 张处长")
        page.get_by_label(prov_po.name, exact=True).fill("省信访局 视频督导 陈")
        page.get_by_role("button", name="保存").last.click()
        page.get_by_role("status").filter(has_text="已保存").wait_for()
        attended = page.locator("#participants").inner_text()
        assert "市信访局 张处长" in attended and "省信访局 视频督导 陈" in attended
        ctx.close()
    r = ReceptionRecord.objects.get()
    assert r.session_id == s.pk and len(r.participants) == 3
    assert Appointment.objects.get().status == "received"
