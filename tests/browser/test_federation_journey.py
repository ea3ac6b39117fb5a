"""Petitions between two installations in a real browser (issue 20), as a clerk and a
petitioner use them: the transfer picker offers another installation's organ only while its
peer is on; the petitioner follows on our portal a matter concluded over there, and the clerk's
page says so; on the receiving side, a review asked in time over there but received after the
window was recorded as lapsed shows its reopening on the petition page and in its notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.helpers import desktop_context, no_horizontal_scroll, phone_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/fed-shots"


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _transfer_options(page) -> list[str]:  # type: ignore[no-untyped-def]
    box = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile("^转送$"))
    )
    box.locator("summary").click()
    return box.get_by_label("接收机关").locator("option").all_inner_texts()


def test_the_clerk_and_the_petitioner_follow_a_matter_handled_by_another_installation(
    live_server, browser, world, register
):
    from pathlib import Path

    from xinfang.federation.models import Link, Peer
    from xinfang.federation.services import peer_deactivate
    from xinfang.federation.tests.test_concluded_there import _report
    from xinfang.petitions.services import petition_act

    Path(SHOTS).mkdir(exist_ok=True)
    from xinfang.directory.models import Level, OrganKind
    from xinfang.directory.services import organ_create
    from xinfang.federation import envelope as e
    from xinfang.federation.services import peer_add, remote_organ_set
    from xinfang.federation.tests.test_handover import OTHER

    on = peer_add(name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(OTHER))  # fmt: skip
    off = peer_add(name="广东省信访系统", url="https://xf.gd.example/", public_key=e.public_key_text(e.private_key_from_secret("gd")))  # fmt: skip
    jx = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    gd = organ_create(name="广东省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    remote_organ_set(organ=jx, peer=on, remote_organ_id=17)
    remote_organ_set(organ=gd, peer=off, remote_organ_id=18)
    peer_deactivate(peer=off, actor=None)

    p = register(title="在江西务工被拖欠工资").petition
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    offered = _transfer_options(page)
    # offered, and marked as served by the other installation (walker #10)
    assert "江西省信访局（外部系统 · 江西省信访系统）" in offered
    assert not any(o.startswith("广东省信访局") for o in offered)
    page.screenshot(path=f"{SHOTS}/picker.png", full_page=False)
    # the clerk transfers it there (the step, as in the desk's form)
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": jx.pk})  # fmt: skip
    _report(p, 3, "acknowledge", "acknowledged", "已受理", is_open=True)
    _report(p, 6, "reply", "replied", "已答复", is_open=False)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    assert page.locator("#concluded-elsewhere").inner_text() == "对方系统已办结"
    assert "对方已办结：已答复" in page.locator("#federation-panel").inner_text()
    page.screenshot(path=f"{SHOTS}/staff-concluded.png", full_page=True)
    assert Peer.objects.filter(is_active=True).count() == 1 and Link.objects.count() == 1

    # the petitioner, on a phone, with the tracking code they were given here
    from django.conf import settings

    from xinfang.core import ids
    from xinfang.petitions.models import Petition

    Petition.objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, "12345678", settings.SECRET_KEY)
    )
    phone = phone_context(browser).new_page()
    phone.set_default_timeout(60_000)
    phone.goto(f"{live_server.url}/portal/track/")
    phone.get_by_label("查询码").fill(ids.format_tracking_code(p.tracking_code))
    phone.get_by_label("查询密码").fill("12345678")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.get_by_role("heading", name=p.title).wait_for()
    assert phone.locator("strong.state").inner_text() == "已在江西省信访局办结（已答复）"  # the organ, not the peer's admin label (walker #18)
    assert "目前办理机关" not in phone.locator("dl.summary").inner_text()
    no_horizontal_scroll(phone)
    phone.screenshot(path=f"{SHOTS}/portal-concluded.png", full_page=True)


def test_the_receiving_side_shows_a_window_reopened_for_a_request_asked_in_time(
    live_server, browser, world
):
    from xinfang.core import clock
    from xinfang.federation.services import inbox_receive
    from xinfang.federation.tests.test_remedy_lapsed import _asked, _lapsed_at_b

    p, tid, due = _lapsed_at_b(world)
    inbox_receive(raw=_asked(tid, due - timedelta(days=3)), now=clock.now())
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.head)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    body = page.locator("main").inner_text()
    assert "恢复申请期限" in body and f"在申请期限（至{due.isoformat()}）内" in body
    assert "申请复查" in body
    page.screenshot(path=f"{SHOTS}/b-timeline.png", full_page=True)
    page.get_by_role("link", name=re.compile("恢复申请期限告知书|申请期限")).first.click()
    page.get_by_text("请求复查的权利以你提出请求的时间为准").wait_for()
    page.screenshot(path=f"{SHOTS}/b-notice.png", full_page=True)


def test_the_clerk_takes_back_a_transfer_that_never_arrived(live_server, browser, world, register):
    """取回 (issue 20): the clerk of the sending office opens the step, cannot send it without
    the confirmation box, ticks it and gives a reason; the page then says it was taken back,
    routes it again, and a reload repeats nothing."""
    from pathlib import Path

    from xinfang.directory.models import Level, OrganKind
    from xinfang.directory.services import organ_create
    from xinfang.federation import envelope as e
    from xinfang.federation.models import OutboundMessage
    from xinfang.federation.services import peer_add, remote_organ_set
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import petition_act

    Path(SHOTS).mkdir(exist_ok=True)
    peer = peer_add(name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(e.private_key_from_secret("jx take back")))  # fmt: skip
    jx = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    remote_organ_set(organ=jx, peer=peer, remote_organ_id=17)
    p = register(title="在江西务工被拖欠工资").petition
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": jx.pk})  # fmt: skip
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.clerk)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    assert "未送达" in page.locator("#federation-panel").inner_text()
    box = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile("^取回$"))
    )
    box.locator("summary").click()
    box.get_by_label(re.compile("^取回理由")).fill("江西系统停运，久未送达")
    box.get_by_role("button", name="取回", exact=True).click()  # the box is not ticked
    assert Petition.objects.get(pk=p.pk).state == "transferred"  # the browser asked first
    box.get_by_label(re.compile("^我确认取回")).check()
    page.screenshot(path=f"{SHOTS}/take-back-form.png", full_page=False)
    box.get_by_role("button", name="取回", exact=True).click()
    page.get_by_role("status").filter(has_text="已取回").wait_for()
    assert "已取回" in page.locator("#federation-panel").inner_text()
    page.screenshot(path=f"{SHOTS}/taken-back.png", full_page=True)
    page.reload()
    assert Petition.objects.get(pk=p.pk).events.filter(action="take_back").count() == 1
    assert OutboundMessage.objects.get().status == "withdrawn"
    assert page.locator("details.action summary", has_text=re.compile("^取回$")).count() == 0
