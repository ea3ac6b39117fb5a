"""The staff pages of the data exchange (issue 20): the federation's peers and the Open311
keys, for administrators only; what was CLI only before (``federation_peer``, ``open311_key``).
Forms: a one-time token, POST/redirect/GET, an error keeps what was typed, bad input is 4xx."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.exchange.models import Open311Key
from xinfang.exchange.open311.keys import open311_key_check
from xinfang.federation import envelope as e
from xinfang.federation.keys import own_key_id
from xinfang.federation.models import Peer

pytestmark = pytest.mark.django_db

OTHER = e.public_key_text(e.private_key_from_secret("the other installation"))


@pytest.fixture
def admin(world, client):
    """An administrator of the installation: of a province-level organ (931a1b7's rule)."""
    user = staff_create(username="adm", password=None, organ=world.prov_gov, roles=[Role.ADMIN])
    client.force_login(user)
    return user


def test_an_administrator_records_a_peer_with_its_key_and_stops_trusting_it(client, admin):
    page = client.get("/federation/peers/").content.decode()
    assert own_key_id() in page and "尚未登记对接系统" in page
    assert 'href="/federation/peers/"' in page  # the menu of an administrator links it
    bad = client.post("/federation/peers/", {"name": "江西省信访系统", "url": "http://xf.jx.example/", "public_key": "short"})  # fmt: skip
    body = bad.content.decode()
    assert bad.status_code == 400 and "必须使用 https" in body and "44 个字符" in body
    assert 'value="江西省信访系统"' in body and 'value="http://xf.jx.example/"' in body  # kept
    r = client.post("/federation/peers/", {"name": "江西省信访系统", "url": "https://xf.jx.example/", "public_key": OTHER})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/federation/peers/"
    peer = Peer.objects.get()
    assert peer.key_id == e.key_id(OTHER) and peer.is_active
    page = client.get("/federation/peers/").content.decode()
    assert peer.key_id in page and "江西省信访系统" in page
    withdraw = {"confirm": "1", "reason": "对方密钥泄露"}
    r = client.post(f"/federation/peers/{peer.pk}/disable/", withdraw)
    assert r.status_code == 302
    peer.refresh_from_db()
    assert not peer.is_active
    r = client.post(f"/federation/peers/{peer.pk}/disable/", withdraw)
    assert r.status_code == 302  # a repeat
    kinds = list(AuditRecord.objects.filter(kind__startswith="federation.").values_list("kind", flat=True))  # fmt: skip
    assert sorted(kinds) == ["federation.peer_add", "federation.peer_deactivate"]
    assert client.post("/federation/peers/999/disable/", withdraw).status_code == 404


def test_an_administrator_issues_a_key_sees_it_once_and_revokes_it(client, admin):
    r = client.post("/exchange/keys/", {"name": "随手拍", "contact": "王工 0791-0000000"})
    assert r.status_code == 302
    page = client.get("/exchange/keys/").content.decode()
    row = Open311Key.objects.get()
    start = page.index('id="new-key-value">') + len('id="new-key-value">')
    key = page[start : page.index("</code>", start)]
    assert open311_key_check(key=key) == row and row.issued_by == admin
    again = client.get("/exchange/keys/").content.decode()
    assert key not in again and row.prefix in again  # shown once; the prefix recognises it
    r = client.post(f"/exchange/keys/{row.pk}/revoke/")
    assert r.status_code == 302
    assert open311_key_check(key=key) is None
    assert "已吊销" in client.get("/exchange/keys/").content.decode()
    empty = client.post("/exchange/keys/", {"name": "", "contact": "留下的联系人"})
    assert empty.status_code == 400 and "留下的联系人" in empty.content.decode()
    assert client.post("/exchange/keys/999/revoke/").status_code == 404


@pytest.mark.parametrize("url", ["/federation/peers/", "/exchange/keys/"])
def test_bad_input_is_a_4xx_and_changes_nothing(client, admin, url):
    for data in ({"name": "a\x00b", "url": "https://x.example/", "public_key": OTHER},
                 {"name": "名" * 5000, "contact": "x" * 100_000, "url": "u" * 9000}):  # fmt: skip
        r = client.post(url, data)
        assert 400 <= r.status_code < 500, (data, r.status_code)
    assert not Peer.objects.exists() and not Open311Key.objects.exists()


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.ADMIN])
def test_other_roles_neither_open_nor_post_nor_see_the_menu(client, world, role):
    user = staff_create(username=f"x-{role}", password=None, organ=world.county_po, roles=[role])
    client.force_login(user)
    for url in ("/federation/peers/", "/exchange/keys/"):
        assert client.get(url).status_code == 403
    assert client.post("/exchange/keys/", {"name": "越权"}).status_code == 403
    assert client.post("/federation/peers/", {"name": "x", "url": "https://x.example/", "public_key": OTHER}).status_code == 403  # fmt: skip
    assert not Open311Key.objects.exists() and not Peer.objects.exists()
    assert 'href="/federation/peers/"' not in client.get("/search/").content.decode()


def test_the_pages_read_a_fixed_number_of_queries_whatever_the_rows(client, admin):
    """The query budget (as web/tests/test_query_budget.py): two rows or twelve."""
    from xinfang.exchange.open311.keys import open311_key_issue
    from xinfang.federation.services import peer_add

    def counts():
        out = []
        for url in ("/federation/peers/", "/exchange/keys/"):
            client.get(url)
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q.captured_queries))
        return out

    def more(n, start):
        for i in range(start, start + n):
            open311_key_issue(name=f"应用{i}", actor=admin)
            priv = e.private_key_from_secret(f"peer {i}")
            peer_add(
                name=f"系统{i}", url=f"https://p{i}.example/", public_key=e.public_key_text(priv)
            )

    more(2, 0)
    few = counts()
    more(10, 2)
    assert counts() == few
    assert few[0] <= 8 and few[1] <= 8, few  # the budget


def test_a_contact_longer_than_its_column_is_a_field_error_keeping_the_name(client, admin):
    r = client.post("/exchange/keys/", {"name": "走查应用", "contact": "x" * 100_000})
    page = r.content.decode()
    assert r.status_code == 400 and 'value="走查应用"' in page
    assert "x" * 1000 not in page  # the 100 KB is not printed back
    start = page.index('id="key-contact-error">')
    assert "200" in page[start : page.index("</div>", start)]  # at the field: the column's length
    assert not Open311Key.objects.exists()
