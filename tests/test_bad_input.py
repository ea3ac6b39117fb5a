"""Bad input of any kind gets a clear 4xx, never a 500 (issue 13 §1.4 and §1.9, issue 11).

NUL and other control characters, invalid UTF-8 and huge integers are refused in one place,
``xinfang.core.boundary``, whatever the surface: registration (API, desk, portal), action
reasons and data, search, list filters, token and page login, portal parameters. The API
answers its documented JSON error, a page a readable 400 that keeps what was typed.

Planted faults this module catches: removing ``InputBoundaryMiddleware`` from the settings
(every NUL test fails on PostgreSQL with a 500, every C0 test stores the character); dropping
the JSON walk (the API tests pass a NUL to the database); ``server_error`` answering HTML.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from xinfang.api.services import token_issue
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db

BAD = ["\x00", "\x01", "\x0b", "\x1f", "\x7f"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _api(user):  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}


def _assert_json_400(r) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] == "invalid_input" and body["message"] and body["fields"]
    return body


API_BODY = {
    "channel": "letter",
    "title": "小区噪声扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "region_code": "990102",
    "category": "appeal",
    "route": 6,
    "parties": [{"role": "petitioner", "name": "张三", "phone": "13800000000"}],
}


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_an_api_registration_are_refused_and_nothing_is_saved(
    client, world, bad
):
    for body in (
        {**API_BODY, "title": f"噪声{bad}扰民"},
        {**API_BODY, "parties": [{"role": "petitioner", "name": f"张{bad}三"}]},
        {
            **API_BODY,
            "parties": [{"role": "petitioner", "name": "张三", "address": f"幸福路{bad}"}],
        },
    ):
        r = client.post(
            "/api/v1/petitions", body, content_type="application/json", **_api(world.clerk)
        )
        fields = _assert_json_400(r)["fields"]
        assert any(k.startswith(("title", "parties")) for k in fields), fields
    assert Petition.objects.count() == 0


def test_nul_in_action_reasons_data_search_filters_and_token_login_is_a_json_400(
    client, world, register
):
    p = register().petition
    h = _api(world.clerk)
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/transfer",
        {"reason": "转\x00送", "data": {"to_organ_id": world.housing.pk}},
        content_type="application/json",
        **h,
    )
    _assert_json_400(r)
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/transfer",
        {"data": {"to_organ_id": world.housing.pk, "note\x00": "x"}},
        content_type="application/json",
        **h,
    )
    _assert_json_400(r)
    for url in (
        "/api/v1/search?q=%00",
        "/api/v1/petitions?state=%00",
        "/api/v1/petitions?region_code=99%0001",
        "/api/v1/worklist?category=%01",
        "/api/v1/petitions?cursor=%00",
    ):
        _assert_json_400(client.get(url, **h))
    r = client.post(
        "/api/v1/auth/token",
        {"username": "clerk\x00", "password": "x"},
        content_type="application/json",
    )
    _assert_json_400(r)
    assert p.events.count() == 2  # received, registered: nothing taken


def test_huge_integers_in_json_are_refused_before_any_column_sees_them(client, world, register):
    p = register(
        category="accusation", route=None, accused_organ_id=world.housing.pk, organ=world.county_po
    ).petition
    for body in (
        {**API_BODY, "head_count": 2**63},
        {**API_BODY, "category": "accusation", "route": None, "accused_staff_ids": [2**63]},
    ):
        r = client.post(
            "/api/v1/petitions", body, content_type="application/json", **_api(world.clerk)
        )
        assert r.status_code == 400 and r.json()["fields"], r.content
    r = client.post(
        f"/api/v1/petitions/{p.pk}/accused",
        {"staff_ids": [2**64]},
        content_type="application/json",
        **_api(world.clerk),
    )
    assert r.status_code == 400, r.content


def test_invalid_utf8_in_an_api_body_is_a_json_400(client, world):
    r = client.post(
        "/api/v1/petitions",
        json.dumps(API_BODY, ensure_ascii=False).encode().replace("噪".encode(), b"\xff\xfe"),
        content_type="application/json",
        **_api(world.clerk),
    )
    _assert_json_400(r)


PORTAL = {
    "region": "990102",
    "category": "appeal",
    "title": "幸福路路灯损坏三个月无人修",
    "content": "青山县幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。",
    "name": "李四",
    "phone": "13900000000",
    "address": "青山县幸福路 20 号",
    "privacy_read": "on",
}


@pytest.mark.parametrize("bad", BAD)
def test_control_characters_in_the_portal_form_give_a_page_that_keeps_what_was_typed(
    client, world, bad
):
    r = client.post("/portal/submit/", {**PORTAL, "title": f"幸福路{bad}路灯损坏"})  # multipart
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert "无法处理提交的内容" in html and "title" in html
    # what was typed is on the page without the bad character, ready to be sent again
    assert "幸福路路灯损坏" in html and PORTAL["content"] in html
    assert 'name="csrfmiddlewaretoken"' in html and 'action="/portal/submit/"' in html
    assert Petition.objects.count() == 0


def test_the_page_sends_the_cleaned_submission_again_and_it_is_registered(client, world):
    import re
    from html import unescape

    r = client.post("/portal/submit/", {**PORTAL, "title": "幸福路\x0b路灯损坏"})
    form = dict(
        (unescape(n), unescape(v))
        for n, v in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)"', r.content.decode()
        )
    )
    form.pop("csrfmiddlewaretoken", None)
    r = client.post("/portal/submit/", form)
    assert r.status_code in (200, 302), r.content.decode()[:500]  # the receipt (or its redirect)
    assert Petition.objects.get().title == "幸福路路灯损坏"


def test_invalid_utf8_in_a_portal_form_is_refused_not_stored_as_replacement_characters(world):
    client = Client()
    body = "&".join(f"{k}={v}" for k, v in {**PORTAL, "title": "X"}.items()).encode()
    body = body.replace(b"title=X", b"title=%FF%FE%E5%B9%B8")
    r = client.post("/portal/submit/", body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/portal/submit/?region=%00",
        "/portal/p/AB%00CD/",
        "/portal/submit/?region=99%FF",
    ],
)
def test_bad_portal_parameters_are_a_400(client, world, url):
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code)


def test_nul_in_the_track_form_and_the_staff_login_is_a_400(client, world):
    assert client.post("/portal/track/", {"code": "A\x00", "password": "1"}).status_code == 400
    r = client.post("/login/", {"username": "clerk\x00", "password": "x"})
    assert r.status_code == 400


def test_nul_in_staff_search_and_worklist_filters_is_a_400(client, world):
    client.force_login(world.clerk)
    for url in (
        "/search/?q=%00",
        "/search/?q=a%01b",
        "/worklist/?state=%00",
        "/worklist/?region=%00",
    ):
        r = client.get(url)
        assert r.status_code == 400, (url, r.status_code)


def test_an_unexpected_error_in_the_api_is_json_in_the_documented_shape(client, world, monkeypatch):
    from xinfang.petitions import selectors

    def boom(**kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("planted")

    monkeypatch.setattr(selectors, "petition_list_for_user", boom)
    c = Client(raise_request_exception=False)
    r = c.get("/api/v1/petitions", **_api(world.clerk))
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "server_error" and r.json()["message"]


def test_a_malformed_body_is_a_json_400_on_the_api_and_a_page_elsewhere(world):
    c = Client()
    bad = "multipart/form-data; boundary="  # no boundary: Django's parser refuses it
    r = c.post("/api/v1/auth/token", b"x", content_type=bad)
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "bad_request"
    r = c.post("/portal/track/", b"x", content_type=bad)
    assert r.status_code == 400 and "无法处理" in r.content.decode()


def test_the_refusal_is_in_english_for_an_english_visitor(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    r = client.post("/portal/submit/", {**PORTAL, "title": "幸福路\x00路灯"})
    html = r.content.decode()
    assert r.status_code == 400 and "cannot be processed" in html and "Nothing you typed is lost" in html


@pytest.mark.parametrize("depth", [40, 10_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token", "/api/v1/petitions", "/open311/v2/requests.json",
             "/federation/v1/messages"])
def test_json_nested_too_deeply_is_a_400_not_a_500(world, path, depth):
    """A body of 10,000 nested arrays exhausted the decoder's stack: a 500 on every JSON
    endpoint. The boundary refuses any document nested past MAX_JSON_DEPTH, once, for all."""
    c = Client(raise_request_exception=False)
    r = c.post(path, ("[" * depth + "]" * depth).encode(), content_type="application/json")
    assert r.status_code == 400, (path, r.status_code, r.content[:200])
    if path.startswith("/api/"):
        assert r.json()["code"] == "invalid_input"
    elif path.startswith("/open311/"):
        assert r.json()[0]["code"] == 400
        assert "无法处理".encode() in r.content  # plain UTF-8 like Open311's other errors
    r = c.post(path, b"[" * depth, content_type="application/json")  # never closed: malformed
    assert 400 <= r.status_code < 500, (path, r.status_code, r.content[:200])


@pytest.mark.parametrize("path", ["/portal/submit/", "/open311/v2/requests.json", "/login/"])
def test_raw_invalid_utf8_bytes_in_a_form_body_are_a_400(world, path):
    """Raw bytes (not percent-escaped) that are not UTF-8: the page walk saw an Open311 POST
    with b"\\xff\\xfe" in its description registered with the text "\\xff\\xfe" (issue 13 §1.9).
    The boundary checks the body's bytes, not only its escapes, once for every form."""
    from xinfang.petitions.models import Petition

    body = "&".join(f"{k}={v}" for k, v in {**PORTAL, "title": "X"}.items()).encode()
    body = body.replace(b"title=X", b"title=\xff\xfe") + b"&description=\xff\xfe"
    r = Client().post(path, body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400, (r.status_code, r.content[:200])
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(
    "query,key",
    [("state=bogus", "state"), ("due=bogus", "due"), ("category=bogus", "category"),
     ("region=abc", "region"), ("channel=bogus", "channel"), ("flag=bogus", "flag")],
)  # fmt: skip
def test_a_worklist_filter_it_cannot_read_is_a_400_at_the_filter_page_and_export(
    client, world, query, key
):
    """Not "共 0 件" (reads as nothing to do) nor everything with the filter dropped; the page
    keeps the other filters, and its 台账 export refuses the same query (walker item 19)."""
    client.force_login(world.clerk)
    r = client.get(f"/worklist/?{query}&due=overdue" if key != "due" else f"/worklist/?{query}")
    assert r.status_code == 400, (query, r.status_code)
    assert r.context["filter_errors"].keys() == {key}
    if key != "due":
        assert r.context["filters"]["due"] == "overdue"
    r = client.post(
        "/analytics/exports/new/", {"once": f"bad-{key}", "kind": "petitions", "query": query}
    )
    assert r.status_code == 400, (query, r.status_code)
    assert client.get("/worklist/?region=990100&state=registered").status_code == 200
