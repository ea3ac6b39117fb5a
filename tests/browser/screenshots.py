"""Screenshots of the main pages, desktop and phone, for the README (docs/screenshots/*.png).

Not part of the suite (pytest collects ``test_*.py`` only). Run it after changing a page:

    python -m pytest tests/browser/screenshots.py -p no:xdist

It fills a fresh test database with the ``world`` fixture's synthetic province and a few
petitions dated relative to today, then photographs the pages in Debian's chromium. Each
picture is the viewport only; where Pillow is installed (``pip install Pillow``: a tool for
this script, not a dependency of the project) it is reduced to a 256-colour palette PNG, which
keeps the repository small.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, phone_context, sign_in
from tests.flows import OPINION, act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "幸福小区楼下餐馆油烟噪声扰民"
PASSWORD = "20261130"


def _shrink(path: Path) -> None:
    """A 256-colour palette PNG (about a third of the size; text stays sharp), if Pillow is here."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)


def test_take_screenshots(live_server, browser, world, register):  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.core.cache import cache

    from xinfang.core import clock, ids
    from xinfang.petitions.services import PartyInput

    cache.clear()
    OUT.mkdir(parents=True, exist_ok=True)
    today = clock.today()

    def ago(n: int) -> tuple[int, int, int]:
        d = today - timedelta(days=n)
        return d.year, d.month, d.day

    for title, n, who in (
        ("青山县城南菜市场占道经营影响通行", 20, "赵六"),
        ("幸福路路灯损坏三个月无人修", 13, "李四"),
        ("建议在青山中学门口增设人行横道", 6, "孙七"),
        ("反映小区物业擅自提高停车费", 2, "周八"),
    ):
        register(title=title, received_at=local(*ago(n)), at=local(*ago(n - 1)),
                 parties=[PartyInput(role="petitioner", name=who, phone="13800000000")])
    for n, who, body in (  # one matter from several people: a hot issue
        (9, "吴一", "城南菜市场摊贩占用人行道经营，早高峰行人只能走机动车道。"),
        (7, "郑二", "城南菜市场门口占道摆摊，电动车和行人挤在一起，很危险。"),
        (4, "冯三", "城南菜市场周边占道经营越来越严重，请求城管整治。"),
        (1, "陈四", "菜市场外摊位占满人行道，老人孩子通行困难，城南菜市场需要整治。"),
    ):
        register(title="城南菜市场占道经营", content=body, received_at=local(*ago(n)),
                 at=local(*ago(n - 1)), parties=[PartyInput(role="petitioner", name=who)])
    p = register(title=TITLE, channel="online", received_at=local(*ago(41)), at=local(*ago(40)),
                 parties=[PartyInput(role="petitioner", name="王五", phone="13700000000")]).petition
    act(world, p, "transfer", world.clerk, ago(39), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, ago(36), category="appeal", route=6)
    act(world, p, "start_handling", world.head, ago(36))
    act(world, p, "extend", world.head, ago(20), "需要委托环境监测机构开展夜间噪声监测", days=30)
    act(world, p, "issue_opinion", world.head, ago(5), **OPINION)
    act(world, p, "record_delivery", world.head, ago(3), method="post", signed="true")
    type(p).objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, PASSWORD, settings.SECRET_KEY)
    )
    opinion_seq = p.events.get(action="issue_opinion").seq
    fresh = register(title="青山县幸福路人行道破损", received_at=local(*ago(1)), at=local(*ago(1))).petition
    drafting = register(title="小区电梯长期停运无人维修", received_at=local(*ago(12)),
                        at=local(*ago(11))).petition
    act(world, drafting, "transfer", world.clerk, ago(10), to_organ_id=world.housing.pk)
    act(world, drafting, "acknowledge", world.head, ago(7), category="appeal", route=6)
    act(world, drafting, "start_handling", world.head, ago(7))
    url = live_server.url

    # --- phone ----------------------------------------------------------------------------------
    phone = phone_context(browser)
    pp = phone.new_page()
    pp.goto(f"{url}/portal/")
    pp.screenshot(path=OUT / "portal-home-phone.png")
    pp.goto(f"{url}/portal/submit/?region=990102")
    pp.get_by_label("信访事项类别").select_option("appeal")
    pp.get_by_label("标题", exact=True).fill("幸福路路灯损坏三个月无人修")
    pp.get_by_label("诉求、事实和理由").fill("幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。")
    pp.get_by_label("姓名或单位名称").fill("李四")
    pp.get_by_label("联系电话").fill("13900000000")
    pp.get_by_label("我已阅读上面的个人信息处理告知").check()
    pp.locator("fieldset").first.scroll_into_view_if_needed()
    pp.screenshot(path=OUT / "portal-submit-phone.png")
    pp.get_by_role("button", name="下一步：核对提交内容").click()
    pp.get_by_role("heading", name="核对提交内容").wait_for()
    pp.screenshot(path=OUT / "portal-check-phone.png")
    pp.get_by_role("button", name="确认提交").click()
    pp.get_by_role("heading", name="信访事项已提交").wait_for()
    pp.screenshot(path=OUT / "portal-receipt-phone.png")
    pp.goto(f"{url}/portal/track/")
    pp.get_by_label("查询码").fill(ids.format_tracking_code(p.tracking_code))
    pp.get_by_label("查询密码").fill(PASSWORD)
    pp.get_by_role("button", name="查询", exact=True).click()
    pp.get_by_role("heading", name=TITLE).wait_for()
    pp.screenshot(path=OUT / "portal-status-phone.png")
    pp.get_by_label("请求复查的理由").fill("监测时间不在餐馆营业高峰，请求重新监测")
    pp.get_by_role("button", name="下一步：确认申请复查").click()
    pp.get_by_role("heading", name="确认申请复查").wait_for()
    pp.screenshot(path=OUT / "portal-review-confirm-phone.png")  # not sent: the shot ends here
    pp.goto(f"{url}/portal/p/{p.tracking_code}/documents/{opinion_seq}/")
    pp.screenshot(path=OUT / "document-opinion-phone.png")
    pp.goto(f"{url}/portal/p/{p.tracking_code}/evaluate/handling/")
    pp.screenshot(path=OUT / "portal-evaluate-phone.png")
    pp.goto(f"{url}/portal/")
    pp.get_by_role("button", name="English").click()
    pp.get_by_role("heading", name="Online petitions").wait_for()
    pp.screenshot(path=OUT / "portal-home-en-phone.png")
    phone.close()

    # --- desktop --------------------------------------------------------------------------------
    public = desktop_context(browser)
    dp = public.new_page()
    dp.goto(f"{url}/portal/track/")
    dp.get_by_label("查询码").fill(p.tracking_code)
    dp.get_by_label("查询密码").fill(PASSWORD)
    dp.get_by_role("button", name="查询", exact=True).click()
    dp.get_by_role("heading", name=TITLE).wait_for()
    dp.screenshot(path=OUT / "portal-status-desktop.png")
    dp.goto(f"{url}/portal/p/{p.tracking_code}/documents/{opinion_seq}/")
    dp.screenshot(path=OUT / "document-opinion-desktop.png")
    public.close()

    clerk_phone = phone_context(browser)
    sign_in(clerk_phone, live_server, world.clerk)
    wp = clerk_phone.new_page()
    wp.goto(f"{url}/worklist/")
    wp.locator(".table-scroll").scroll_into_view_if_needed()
    wp.screenshot(path=OUT / "staff-worklist-phone.png")
    clerk_phone.close()

    clerk = desktop_context(browser)
    sign_in(clerk, live_server, world.clerk)
    cp = clerk.new_page()
    cp.goto(f"{url}/worklist/")
    cp.screenshot(path=OUT / "staff-worklist-desktop.png")
    cp.goto(f"{url}/intake/letter/")
    cp.locator("#title").fill("城南菜市场占道经营影响通行")
    cp.locator("#content").fill("城南菜市场摊贩占用人行道，行人被迫走机动车道，请求整治。")
    cp.locator("#similar").get_by_text("城南菜市场", exact=False).first.wait_for()
    cp.screenshot(path=OUT / "staff-intake-desktop.png")
    cp.goto(f"{url}/intake/visit/")
    cp.screenshot(path=OUT / "staff-visit-desktop.png")
    cp.goto(f"{url}/petitions/{fresh.pk}/")
    transfer = cp.locator("details.action").filter(has=cp.locator("summary", has_text="转送"))
    transfer.first.locator("summary").click()
    transfer.first.get_by_label("输入名称中的字筛选").fill("县")
    transfer.first.get_by_label("输入名称中的字筛选").scroll_into_view_if_needed()
    cp.screenshot(path=OUT / "staff-organ-picker-desktop.png")
    cp.goto(f"{url}/worklist/")
    cp.get_by_role("button", name="English").click()
    cp.get_by_role("heading", name="Worklist").wait_for()
    cp.screenshot(path=OUT / "staff-worklist-en-desktop.png")
    clerk.close()

    analyst = desktop_context(browser)
    sign_in(analyst, live_server, world.analyst)
    ap = analyst.new_page()
    ap.goto(f"{url}/insight/hot/")
    ap.screenshot(path=OUT / "staff-hot-desktop.png")
    analyst.close()

    head = desktop_context(browser)
    sign_in(head, live_server, world.head)
    hp = head.new_page()
    hp.goto(f"{url}/petitions/{p.pk}/")
    hp.screenshot(path=OUT / "staff-petition-desktop.png")
    head.close()

    handler = desktop_context(browser)
    sign_in(handler, live_server, world.handler)
    ep = handler.new_page()
    ep.goto(f"{url}/petitions/{drafting.pk}/draft/issue_opinion/")
    ep.get_by_label("处理结论").select_option(OPINION["outcome"])
    for label, key in (("信访人的请求", "request"), ("事实和理由", "facts")):
        ep.get_by_label(label).fill(OPINION[key])
    ep.get_by_role("button", name="保存草稿").click()
    ep.get_by_role("status").filter(has_text="草稿已保存").wait_for()
    ep.screenshot(path=OUT / "staff-editor-desktop.png")
    handler.close()
    for png in OUT.glob("*.png"):
        _shrink(png)


def test_take_reception_screenshots(live_server, browser, world, register):  # type: ignore[no-untyped-def]
    """Issue 17: the booking on a phone, the leader's board, the joint-handling page and the
    down-visit plan. Rerun only these: ``-k reception``."""
    from datetime import time

    from django.core.cache import cache

    from xinfang.core import clock
    from xinfang.deadlines.holidays import calendar_in_force
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.services import PartyInput
    from xinfang.reception import services as rs

    cache.clear()
    OUT.mkdir(parents=True, exist_ok=True)
    today = clock.today()
    day = today + timedelta(days=1)
    while not calendar_in_force().is_working_day(day):
        day += timedelta(days=1)

    def leader(username: str, name: str):  # type: ignore[no-untyped-def]
        u = staff_create(username=username, password="test-pass-123", organ=world.county_gov,
                         roles=[Role.LEADER])  # fmt: skip
        u.display_name = name
        u.save(update_fields=["display_name"])
        return u

    wang, li = leader("leaderwang", "王县长"), leader("leaderli", "李副县长")
    court_head = staff_create(username="courthead", password="test-pass-123", organ=world.court,
                              roles=[Role.ORGAN_HEAD])  # fmt: skip
    for on, starts, place, fields in (
        (day, time(9, 0), "青山县信访局接待大厅", "住房、拆迁"),
        (day + timedelta(days=7), time(9, 0), "青山县信访局接待大厅", "住房、拆迁"),
    ):
        rs.session_publish(actor=world.clerk, data=rs.SessionInput(
            organ=world.county_po, leader_id=wang.pk, on=on, starts=starts, ends=time(11, 30),
            place=place, fields=fields, capacity=6))  # fmt: skip
    water = register(title="小区二次供水水压不足高层停水", received_at=clock.now(),
                     parties=[PartyInput(role="petitioner", name="刘桂兰")]).petition  # fmt: skip
    r = rs.record_write(
        actor=world.clerk, petition_id=water.pk, received_by_id=wang.pk, attendees="刘桂兰",
        asked="请求解决高层住户长期停水", said="当面听取诉求，责成住建局一周内现场排查。",
        promises=[rs.PromiseInput("会同供水公司现场排查并书面答复", world.clerk.pk,
                                  today + timedelta(days=7))],
    )  # fmt: skip
    rs.leader_take_charge(actor=world.city_head, petition_id=r.petition_id, leader_id=wang.pk)
    noise = register(received_at=clock.now()).petition
    limit = rs.statutory_limit(noise.pk)
    j = rs.joint_start(actor=world.clerk, petition_id=noise.pk, tasks=[
        rs.TaskInput(world.housing.pk, "核查餐馆油烟排放和营业时间", today + timedelta(days=10)),
        rs.TaskInput(world.court.pk, "说明民事诉讼途径和诉讼费用", min(limit, today + timedelta(days=12))),
    ])  # fmt: skip
    tasks = list(j.tasks.order_by("id"))
    rs.joint_reply(actor=world.head, task_id=tasks[0].pk, on=today,
                   reply="已现场核查，三家餐馆油烟净化设施未正常运行，已责令限期整改。")  # fmt: skip
    rs.joint_reply(actor=court_head, task_id=tasks[1].pk, on=today,
                   reply="可就噪声侵权提起民事诉讼，诉讼费用可申请缓减免。")  # fmt: skip
    road = register(title="幸福村村道塌陷影响出行", received_at=clock.now(),
                    parties=[PartyInput(role="petitioner", name="陈志强")]).petition  # fmt: skip
    plan = rs.visit_plan(actor=world.clerk, data=rs.VisitInput(
        organ=world.county_po, leader_id=li.pk, on=today, place="幸福镇便民服务中心",
        petition_ids=[road.pk, water.pk], kind="accompanied",
        officials="县信访局 接访科；县住建局 分管副局长",
        purpose="带案下访，当面答复村道和供水问题"))  # fmt: skip
    rs.record_write(
        actor=world.clerk, petition_id=road.pk, received_by_id=li.pk, attendees="陈志强",
        asked="请求修复村道塌陷路段", said="到现场察看塌陷路段，交通部门当场明确修复方案。",
        promises=[rs.PromiseInput("十五日内完成塌陷路段修复", li.pk, today + timedelta(days=15))],
        visit_id=plan.pk,
    )  # fmt: skip
    url = live_server.url

    phone = phone_context(browser)
    pp = phone.new_page()
    pp.goto(f"{url}/portal/")
    pp.get_by_role("link", name="预约接访").first.click()
    pp.get_by_role("link", name="青山县信访局").first.click()
    pp.get_by_label("手机号码").fill("13800001111")
    pp.get_by_label("新的事项（将按来访登记为信访事项）").check()
    pp.get_by_label("姓名").fill("李四")
    pp.get_by_label("反映的问题（一句话）").fill("小区消防通道长期被占用")
    pp.get_by_label("请求、事实和理由").fill("请求依法清理占用消防通道的车辆和杂物。")
    pp.evaluate("window.scrollTo(0, 0)")
    pp.screenshot(path=OUT / "reception-book-phone.png")
    pp.get_by_role("button", name="预约").click()
    pp.get_by_role("heading", name="预约成功").wait_for()
    pp.screenshot(path=OUT / "reception-booked-phone.png")
    phone.close()

    for user, path, name in (
        (wang, "/reception/board/", "reception-board-desktop.png"),
        (world.clerk, f"/reception/joint/{j.pk}/", "reception-joint-desktop.png"),
        (world.clerk, f"/reception/visits/{plan.pk}/", "reception-visit-desktop.png"),
    ):
        ctx = desktop_context(browser)
        sign_in(ctx, live_server, user)
        page = ctx.new_page()
        page.goto(f"{url}{path}")
        page.screenshot(path=OUT / name)
        ctx.close()
    for png in OUT.glob("reception-*.png"):
        _shrink(png)
