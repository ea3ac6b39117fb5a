"""A working day at the desk in a real browser (issue 12): one test per fault found there.

Refreshing a receipt never registers twice (desk and portal); a form that comes back with an
error keeps the back-dated receipt date (desk) and the attachments (portal); the organ that
issued an opinion still reads its case under review; a duplicate registration is voided and
leaves the worklist; every menu link of every role opens (no 无权访问)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import local
from tests.browser.helpers import desktop_context, phone_context, sign_in, staff_act
from tests.flows import OPINION, act, opinion_delivered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = "青山县幸福小区楼下三家餐馆每晚营业至凌晨，油烟和噪声严重影响居民休息，请求依法处理。"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_desk_keeps_a_back_dated_receipt_date_on_an_error_and_a_refresh_registers_once(
    live_server, browser, world
):
    from xinfang.core import clock
    from xinfang.petitions.models import Petition

    title = "来信反映小区餐馆油烟扰民（浏览器）"
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/intake/letter/")
    back = (clock.today() - dt.timedelta(days=6)).isoformat()
    page.locator("#title").fill(title)
    page.locator("#content").fill(CONTENT)
    page.locator("#received_on").fill(back)
    page.locator("#p_name").fill("张三")
    page.locator("#p_phone").fill("13800000000")
    page.locator("#p_id").fill("12345")  # not an identity number: the desk refuses it
    page.locator("#intake-form button[type=submit]").click()
    page.get_by_role("alert").wait_for()
    assert page.locator("#received_on").input_value() == back  # not wiped to today
    assert page.locator("#title").input_value() == title
    assert not Petition.objects.filter(title=title).exists()

    page.locator("#p_id").fill("")
    page.locator("#intake-form button[type=submit]").click()
    page.wait_for_url("**/intake/receipt/**")
    page.reload()  # the receipt is a GET: a refresh shows it again and registers nothing
    page.go_back()
    page.reload()
    p = Petition.objects.get(title=title)  # exactly one
    assert clock.local_date(p.received_at).isoformat() == back
    ctx.close()


def test_the_portal_keeps_attachments_on_an_error_and_a_refresh_submits_once(
    live_server, browser, world, tmp_path
):
    from xinfang.petitions.models import Petition

    title = "楼下餐馆夜间噪声（浏览器）"
    ctx = phone_context(browser)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="提出信访事项").click()
    page.get_by_label("事项所在地").select_option("990102")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("诉求、事实和理由").fill(CONTENT)
    scan = tmp_path / "现场照片.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256)
    page.get_by_label("附件").set_input_files(str(scan))
    page.get_by_label("姓名或单位名称").fill("王五")
    page.get_by_label("联系电话").fill("123")  # not a phone number: the portal refuses it
    page.get_by_label("我已阅读上面的个人信息处理告知").check()
    page.get_by_role("button", name="下一步：核对提交内容").click()
    held = page.locator("#held-uploads")
    held.wait_for()
    assert "现场照片.png" in held.inner_text()  # the file is kept, not silently dropped
    assert page.get_by_label("标题", exact=True).input_value() == title

    page.get_by_label("联系电话").fill("13700000000")
    if not page.get_by_label("我已阅读上面的个人信息处理告知").is_checked():
        page.get_by_label("我已阅读上面的个人信息处理告知").check()
    page.get_by_role("button", name="下一步：核对提交内容").click()
    page.get_by_role("button", name="确认提交").click()
    page.get_by_role("heading", name="信访事项已提交").wait_for()
    page.reload()  # the receipt is a GET after a redirect: a refresh submits nothing
    page.reload()
    p = Petition.objects.get(title=title)  # exactly one
    assert [a.original_name for a in p.attachments.all()] == ["现场照片.png"]
    ctx.close()


def test_the_organ_that_issued_the_opinion_reads_its_case_under_review(
    live_server, browser, world, register
):
    p = opinion_delivered(world, register)
    act(world, p, "request_review", world.city_head, (2025, 9, 1))
    p.refresh_from_db()
    assert p.state == "review_requested" and p.current_organ_id != world.head.organ_id
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.head)
    page = ctx.new_page()
    response = page.goto(f"{live_server.url}/petitions/{p.pk}/")
    assert response.status == 200
    page.get_by_role("heading", name=p.title).wait_for()
    assert "复查中" in page.content()
    # it reads; the review organ acts
    assert page.locator("summary", has_text="出具复查意见").count() == 0
    ctx.close()


def test_the_registering_office_voids_a_duplicate_and_it_leaves_the_worklist(
    live_server, browser, world, register
):
    from xinfang.petitions.models import Petition

    first = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    dup = register(
        title="重复登记的同一封来信", received_at=local(2025, 8, 28), at=local(2025, 8, 29)
    ).petition
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/worklist/")
    page.get_by_role("link", name=dup.title).click()
    staff_act(page, "作废登记", fill={"作废理由": f"与 {first.tracking_code} 重复登记"})
    assert "已作废" in page.content()
    assert f"与 {first.tracking_code} 重复登记" in page.content()  # on the timeline
    page.goto(f"{live_server.url}/worklist/")
    assert page.get_by_role("link", name=first.title).count() >= 1
    assert page.get_by_role("link", name=dup.title).count() == 0
    assert Petition.objects.get(pk=dup.pk).state == "voided"  # kept, never deleted
    ctx.close()


def test_every_menu_link_of_every_role_opens(live_server, browser, world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    users = [world.clerk, world.handler, world.head, world.po_head, world.analyst]
    users += [
        staff_create(username=f"m-{r}", password="test-pass-123", organ=world.county_po, roles=[r])
        for r in (Role.LEADER, Role.SUPERVISOR)
    ]
    users.append(
        staff_create(username="m-admin", password="test-pass-123", organ=None, roles=[Role.ADMIN])
    )
    for user in users:
        ctx = desktop_context(browser)
        sign_in(ctx, live_server, user)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/")
        hrefs = page.locator("header.top a").evaluate_all("els => els.map(e => e.href)")
        assert len(hrefs) >= 2, (user.username, hrefs)  # the brand and at least one item
        for href in hrefs:
            response = ctx.request.get(href)
            text = response.text()
            assert response.status == 200, (user.username, href, response.status)
            assert "无权访问" not in text, (user.username, href)
        ctx.close()


def test_every_open_state_along_the_procedure_offers_some_role_a_step_on_the_page(
    live_server, browser, world, register
):
    """The stuck-state walk seen on the page (the service walk covers every variant:
    xinfang/petitions/tests/test_no_dead_ends.py): at each open state some role's petition
    page has a step form, and a final state is said to be final."""
    from xinfang.petitions.models import Petition
    from xinfang.petitions.workflow import State, is_final

    staff = [world.clerk, world.head, world.city_head]
    pages = {}
    for user in staff:
        ctx = desktop_context(browser)
        sign_in(ctx, live_server, user)
        pages[user.pk] = ctx.new_page()

    p = register(
        category="", route=None, received_at=local(2025, 8, 1), at=local(2025, 8, 2)
    ).petition
    steps = [
        ("transfer", world.clerk, (2025, 8, 3), "", {"to_organ_id": world.housing.pk}),
        ("acknowledge", world.head, (2025, 8, 5), "", {"category": "appeal", "route": 6}),
        ("start_handling", world.head, (2025, 8, 5), "", {}),
        ("issue_opinion", world.head, (2025, 8, 20), "", dict(OPINION)),
        ("record_delivery", world.head, (2025, 8, 25), "", {"method": "post", "signed": "true"}),
        ("request_review", world.city_head, (2025, 9, 1), "", {}),
    ]
    seen = []
    for i in range(len(steps) + 1):
        state = Petition.objects.get(pk=p.pk).state
        seen.append(state)
        offered = 0
        for page in pages.values():
            page.goto(f"{live_server.url}/petitions/{p.pk}/")
            offered += page.locator('form[action*="/act/"]').count()
            # steps the organ head signs open the opinion editor (issue 12, item 8)
            offered += page.locator('a[href*="/draft/"]').count()
            if offered:
                break
        assert offered or is_final(State(state)), f"no role has a step in {state}"
        if i < len(steps):
            action, actor, day, reason, data = steps[i]
            act(world, p, action, actor, day, reason, **data)
    assert seen == [
        "registered", "transferred", "acknowledged", "in_handling", "opinion_issued",
        "opinion_issued", "review_requested",
    ]
    for page in pages.values():
        page.context.close()
