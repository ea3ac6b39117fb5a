"""A submission is carried out once: the portal's one-time token, the API's Idempotency-Key.

Planted faults this module catches (rerun it after planting each):
- ``once`` never inserting its row (every repeat registers again): every test here fails;
- the portal view ignoring the claim's ``prior``: the refresh test finds two petitions;
- ``petition_receipt_again`` keeping the old secret: the new password does not open the status.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection

from xinfang.api.services import token_issue
from xinfang.petitions.models import Petition

FORM = {
    "region": "990102",
    "category": "appeal",
    "title": "幸福路路灯损坏三个月无人修",
    "content": "青山县幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。",
    "name": "李四",
    "phone": "13900000000",
    "privacy_read": "on",
}
API_BODY = {
    "channel": "letter",
    "title": "小区噪声扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "region_code": "990102",
    "category": "appeal",
    "route": 6,
    "parties": [{"role": "petitioner", "name": "张三", "phone": "13800000000"}],
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the portal's per-address write limit
    yield
    cache.clear()


def _token(client) -> str:  # type: ignore[no-untyped-def]
    html = client.get("/portal/submit/?region=990102").content.decode()
    m = re.search(r'name="once" value="([^"]+)"', html)
    assert m, "the submission form carries a one-time token"
    return m.group(1)


def _receipt(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    m = re.search(r'name="code" value="([A-Z0-9]+)".*?name="password" value="(\d+)"', html, re.S)
    assert m, html[:800]
    return m.group(1), m.group(2)


@pytest.mark.django_db
def test_the_portal_form_sent_twice_registers_one_petition_and_shows_a_receipt_that_works(
    client, world
):
    token = _token(client)
    first = client.post("/portal/submit/", {**FORM, "once": token}, follow=True)
    again = client.post(
        "/portal/submit/", {**FORM, "once": token}, follow=True
    )  # refresh / double click
    assert first.status_code == again.status_code == 200
    (code1, pw1), (code2, pw2) = _receipt(first), _receipt(again)
    assert code1 == code2 and Petition.objects.count() == 1
    # The receipt shown last is the one the petitioner sees: its password opens the petition.
    other = client.__class__()
    r = other.post("/portal/track/", {"code": code2, "password": pw2})
    assert r.status_code == 302
    if pw1 != pw2:  # the first answer's password was replaced (only its hash is kept)
        r = client.__class__().post("/portal/track/", {"code": code1, "password": pw1})
        assert r.status_code != 302


@pytest.mark.django_db
def test_a_refused_submission_keeps_its_token_and_goes_through_when_corrected(client, world):
    token = _token(client)
    r = client.post("/portal/submit/", {**FORM, "once": token, "phone": "abc"})
    assert r.status_code == 400 and f'value="{token}"' in r.content.decode()
    r = client.post("/portal/submit/", {**FORM, "once": token}, follow=True)
    assert r.status_code == 200 and Petition.objects.count() == 1
    _receipt(r)


@pytest.mark.django_db
def test_two_forms_register_two_petitions(client, world):
    client.post("/portal/submit/", {**FORM, "once": _token(client)})
    client.post("/portal/submit/", {**FORM, "once": _token(client)})
    assert Petition.objects.count() == 2


def _api(client, user, body, key=None, path="/api/v1/petitions"):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_api_registers_once_per_idempotency_key(client, world):
    a = _api(client, world.clerk, API_BODY, key="k-1")
    b = _api(client, world.clerk, API_BODY, key="k-1")
    assert a.status_code == b.status_code == 201, b.content
    assert a.json()["id"] == b.json()["id"] and Petition.objects.count() == 1
    c = _api(client, world.clerk, API_BODY, key="k-2")
    d = _api(client, world.clerk, API_BODY)  # no key: carried out each time
    assert c.json()["id"] != a.json()["id"] and d.status_code == 201
    assert Petition.objects.count() == 3


@pytest.mark.django_db
def test_an_idempotency_key_reused_for_another_body_is_refused(client, world):
    assert _api(client, world.clerk, API_BODY, key="same").status_code == 201
    r = _api(client, world.clerk, {**API_BODY, "title": "另一件事"}, key="same")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert Petition.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_the_clients_own_another_user_with_the_same_key_registers_anew(client, world):
    _api(client, world.clerk, API_BODY, key="shared")
    r = _api(client, world.city_clerk, {**API_BODY, "region_code": "990100"}, key="shared")
    assert r.status_code == 201 and Petition.objects.count() == 2


@pytest.mark.django_db
def test_an_action_sent_again_with_its_key_is_taken_once(client, world, register):
    p = register().petition
    path = f"/api/v1/petitions/{p.pk}/actions/transfer"
    body = {"data": {"to_organ_id": world.housing.pk}}
    a = _api(client, world.clerk, body, key="t-1", path=path)
    b = _api(client, world.clerk, body, key="t-1", path=path)
    assert a.status_code == b.status_code == 200, b.content
    assert p.events.filter(action="transfer").count() == 1


@pytest.mark.django_db
def test_the_one_time_keys_are_forgotten_after_the_configured_days(world, settings):
    from datetime import timedelta

    from xinfang.core import clock
    from xinfang.core.models import OnceKey
    from xinfang.core.once import once, once_expire

    settings.XINFANG_ONCE_DAYS = 7
    with once(scope="t", key="old") as claim:
        claim.result = {"x": 1}
    OnceKey.objects.update(created_at=clock.now() - timedelta(days=8))
    with once(scope="t", key="new") as claim:
        claim.result = {"x": 2}
    assert once_expire(now=clock.now()) == 1
    assert list(OnceKey.objects.values_list("result", flat=True)) == [{"x": 2}]
    assert OnceKey.objects.filter(key="new").count() == 0  # stored as a digest only


@pytest.mark.django_db(transaction=True)
def test_two_submissions_with_one_token_at_the_same_moment_register_one_petition(world):
    """Concurrent double submit on a real server's threads (each its own connection).
    PostgreSQL only: the in-memory SQLite test database has no busy wait between connections
    (a file database serialises writers with BEGIN IMMEDIATE, so the race cannot arise)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections to one in-memory SQLite lock at once")
    from django.db import connections
    from django.test import Client

    token = "race-token-0123456789abcdef"
    barrier = threading.Barrier(2)
    results: list[int] = []

    def post() -> None:
        try:
            barrier.wait(timeout=10)
            r = Client().post("/portal/submit/", {**FORM, "once": token})
            results.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [302, 302], (
        results
    )  # each answered with its receipt page (POST/redirect/GET)
    assert Petition.objects.count() == 1, connection.vendor
