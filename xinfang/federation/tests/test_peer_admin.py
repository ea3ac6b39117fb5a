"""Who manages the peers and the Open311 keys, and how a peer is withdrawn and re-activated
(walker finding 2). A peer is a trust anchor of the whole installation (transfers and review
requests arrive signed by it), so only a province-level administrator records, withdraws or
re-activates one, as only they set the backlog criteria (931a1b7). A withdrawal is confirmed,
with a reason, and warns of the messages still waiting for the peer; a withdrawn peer can be
trusted again, audited, from the page and from ``federation_peer activate``.

Planted faults: ``_admin`` back to ``user_can(Cap.ADMIN)`` (county/city administrators get 200,
the first test fails); the menu item back to ``Cap.ADMIN`` (their menu links it); the
confirmation skipped (the unconfirmed POST withdraws)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.exchange.models import Open311Key
from xinfang.federation import envelope as e
from xinfang.federation.models import OutboundMessage, Peer
from xinfang.federation.services import peer_add, peer_deactivate

pytestmark = pytest.mark.django_db

OTHER = e.public_key_text(e.private_key_from_secret("the other installation, walker"))


@pytest.fixture
def peer():
    return peer_add(name="邻省平台", url="https://xf.other.example/", public_key=OTHER)


def _waiting(peer: Peer, n: int) -> None:
    now = clock.now()
    for i in range(n):
        OutboundMessage.objects.create(
            message_id=f"m{i:031d}", peer=peer, kind="transfer", body={}, created_at=now,
            next_attempt_at=now,
        )  # fmt: skip


@pytest.mark.parametrize("organ", ["county_po", "city_po", "county_gov"])
def test_a_county_or_city_administrator_neither_opens_nor_changes_peers_or_keys(
    client, world, peer, organ
):
    user = staff_create(
        username=f"a-{organ}", password=None, organ=getattr(world, organ), roles=[Role.ADMIN]
    )
    client.force_login(user)
    for url in (
        "/federation/peers/",
        "/exchange/keys/",
        f"/federation/peers/{peer.pk}/disable/",
        f"/federation/peers/{peer.pk}/enable/",
    ):
        assert client.get(url).status_code == 403, url
    ok = {"confirm": "1", "reason": "越权"}
    assert client.post(f"/federation/peers/{peer.pk}/disable/", ok).status_code == 403
    new = {"name": "越权系统", "url": "https://x.example/", "public_key": e.public_key_text(e.private_key_from_secret("x"))}  # fmt: skip
    assert client.post("/federation/peers/", new).status_code == 403
    assert client.post("/exchange/keys/", {"name": "越权应用"}).status_code == 403
    peer.refresh_from_db()
    assert peer.is_active and Peer.objects.count() == 1 and not Open311Key.objects.exists()
    menu = client.get("/search/").content.decode()
    assert 'href="/federation/peers/"' not in menu  # no link to a page that refuses


def test_a_withdrawal_is_confirmed_with_a_reason_and_warns_of_the_messages_waiting(
    client, world, peer
):
    admin = staff_create(username="padm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(admin)
    assert 'href="/federation/peers/"' in client.get("/search/").content.decode()
    _waiting(peer, 2)
    page = client.get("/federation/peers/").content.decode()
    assert f'href="/federation/peers/{peer.pk}/disable/"' in page  # a link, not a one-click form
    url = f"/federation/peers/{peer.pk}/disable/"
    confirm = client.get(url).content.decode()
    assert 'id="waiting-warning"' in confirm and "尚有 2 条消息等待发往该系统" in confirm
    assert "取回" in confirm  # says what becomes of the transfers waiting
    r = client.post(url, {"reason": "对方密钥泄露"})  # the box not ticked
    assert r.status_code == 400 and "对方密钥泄露" in r.content.decode()  # kept
    r = client.post(url, {"confirm": "1", "reason": ""})  # no reason
    assert r.status_code == 400
    assert 'name="confirm" value="1" required checked' in r.content.decode()  # the tick kept
    assert " checked" not in client.get(url).content.decode().split('name="confirm"')[1][:40]
    peer.refresh_from_db()
    assert peer.is_active
    r = client.post(url, {"confirm": "1", "reason": "对方密钥泄露"})
    assert r.status_code == 302
    peer.refresh_from_db()
    assert not peer.is_active
    rec = AuditRecord.objects.get(kind="federation.peer_deactivate")
    assert rec.data["reason"] == "对方密钥泄露" and rec.data["waiting"] == 2
    assert rec.actor_id == admin.pk


def test_a_withdrawn_peer_is_reactivated_from_the_page_and_the_command(client, world, peer):
    admin = staff_create(username="padm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(admin)
    peer_deactivate(peer=peer, actor=admin, reason="线路故障")
    page = client.get("/federation/peers/").content.decode()
    url = f"/federation/peers/{peer.pk}/enable/"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "已核对指纹"}).status_code == 400  # not confirmed
    r = client.post(url, {"confirm": "1", "reason": "故障已排除，已电话核对指纹"})
    assert r.status_code == 302
    peer.refresh_from_db()
    assert peer.is_active
    rec = AuditRecord.objects.get(kind="federation.peer_activate")
    assert rec.actor_id == admin.pk and "核对指纹" in rec.data["reason"]
    # the command too (an installation's operator, no page)
    out = io.StringIO()
    call_command("federation_peer", "deactivate", "邻省平台", "--reason", "演练", stdout=out)
    peer.refresh_from_db()
    assert not peer.is_active
    call_command("federation_peer", "activate", "邻省平台", "--reason", "演练结束", stdout=out)
    peer.refresh_from_db()
    assert peer.is_active and "activated 邻省平台" in out.getvalue()
    assert AuditRecord.objects.filter(kind="federation.peer_activate").count() == 2


def _hidden(html: str) -> dict[str, str]:
    import re
    from html import unescape

    return {
        unescape(n): unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', html)
    }


def test_a_nul_in_the_peer_form_is_refused_and_the_cleaned_form_goes_through_with_csrf(world):
    """Walker report item 2: the refusal page's "去掉这些字符后重新提交" met Django's CSRF 403
    (its token's cookie was never set); with a real client's cookies and CSRF checks it goes
    through, and the page names the fields by their labels."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    admin = staff_create(username="padm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(admin)
    form = _hidden(client.get("/federation/peers/").content.decode())
    assert form["csrfmiddlewaretoken"] and form["once"]
    typed = {"name": "测试\x00系统", "url": "https://xf.nul.example/", "public_key": OTHER}
    r = client.post("/federation/peers/", {**form, **typed})
    html = r.content.decode()
    assert r.status_code == 400 and "去掉这些字符后重新提交" in html
    assert "<li>名称：" in html and "<li>name：" not in html
    again = _hidden(html)
    assert again["name"] == "测试系统" and again["csrfmiddlewaretoken"]
    r = client.post("/federation/peers/", again)
    assert r.status_code == 302, r.content.decode()[:300]
    assert Peer.objects.filter(name="测试系统").exists()


def test_a_stale_form_is_the_site_s_readable_403_with_a_way_out(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    admin = staff_create(username="padm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(admin)
    r = client.post("/federation/peers/", {"name": "过期表单"})  # no CSRF token
    html = r.content.decode()
    assert r.status_code == 403 and "表单未能提交" in html and "刷新后重新提交" in html
    assert 'href="/"' in html
    assert not Peer.objects.filter(name="过期表单").exists()


def test_the_peer_forms_errors_are_english_at_their_fields(world, client):
    """walker #3: the errors were Chinese, in a summary only; the button read "Registration"."""
    admin = staff_create(username="padm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    html = client.get("/federation/peers/").content.decode()
    assert ">Register</button>" in html and "Registration" not in html
    form = _hidden(html)
    typed = {"name": "Peer B", "url": "http://xf.example.gov.cn/", "public_key": OTHER}
    html = client.post("/federation/peers/", {**form, **typed}).content.decode()
    assert 'id="peer-url-error">The peer&#x27;s address must use https' in html
    assert 'aria-describedby="peer-url-error"' in html and 'value="http://xf.example.gov.cn/"' in html
    assert "对方地址" not in html and "peer-name-error" not in html
