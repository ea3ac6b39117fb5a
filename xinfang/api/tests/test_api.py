"""Each endpoint: a happy path, a refusal, and a pinned query count where it matters."""

from __future__ import annotations

import base64

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from xinfang.api.services import token_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}


BODY = {
    "channel": "letter",
    "title": "小区噪声扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "region_code": "990102",
    "category": "appeal",
    "route": 6,
    "received_at": "2025-08-28T09:00:00+08:00",
    "parties": [{"role": "petitioner", "name": "张三", "phone": "13800000000"}],
}


def test_a_token_is_issued_for_a_staff_login_and_refused_for_a_wrong_password(client, world):
    r = client.post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": "test-pass-123"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["token"].startswith("xf_")
    r = client.post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": "nope"},
        content_type="application/json",
    )
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"


def test_requests_without_a_token_get_a_json_401(client, world):
    r = client.get("/api/v1/worklist")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_registering_returns_the_tracking_code_and_password_once(client, world):
    r = client.post("/api/v1/petitions", BODY, content_type="application/json", **auth(world.clerk))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["state"] == "registered" and len(out["query_password"]) == 8
    assert len(out["tracking_code"].replace(" ", "")) == 16


def test_bad_registration_answers_field_errors_as_json(client, world):
    bad = {
        **BODY,
        "title": "",
        "region_code": "000000",
        "attachments": [{"name": "a.pdf", "content_base64": "%%%"}],
    }
    r = client.post("/api/v1/petitions", bad, content_type="application/json", **auth(world.clerk))
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert "attachments[0]" in r.json()["fields"]
    r = client.post(
        "/api/v1/petitions", {"title": 1}, content_type="application/json", **auth(world.clerk)
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid" and r.json()["fields"]


def test_an_attachment_in_base64_is_stored(client, world):
    body = {
        **BODY,
        "attachments": [
            {
                "name": "scan.png",
                "content_base64": base64.b64encode(b"\x89PNG\r\n\x1a\nxx").decode(),
            }
        ],
    }
    r = client.post("/api/v1/petitions", body, content_type="application/json", **auth(world.clerk))
    assert r.status_code == 201


def test_the_detail_shows_deadlines_with_legal_basis_and_the_actions_allowed_now(
    client, world, register
):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    r = client.get(f"/api/v1/petitions/{p.pk}", **auth(world.clerk))
    assert r.status_code == 200
    d = r.json()
    assert d["state"] == "registered"
    t1 = d["deadlines"][0]
    assert t1["code"] == "T1" and "第二十二条" in t1["legal_basis"] and t1["status"] == "running"
    assert "transfer" in d["available_actions"] and "issue_opinion" not in d["available_actions"]
    assert [e["action"] for e in d["timeline"]] == ["receive", "register"]


def test_each_workflow_action_goes_through_one_endpoint_and_illegal_ones_get_409(
    client, world, register
):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    h = auth(world.clerk)
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/issue_opinion",
        {},
        content_type="application/json",
        **auth(world.po_head),
    )
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/transfer",
        {"at": "2025-08-30", "data": {"to_organ_id": world.housing.pk}},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["state"] == "transferred"
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/acknowledge",
        {},
        content_type="application/json",
        **auth(world.handler),
    )
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/fly", {}, content_type="application/json", **h
    )
    assert r.status_code == 422


def test_staff_of_another_organ_get_404_for_a_petition_not_theirs(client, world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    r = client.get(f"/api/v1/petitions/{p.pk}", **auth(world.handler))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_the_worklist_is_ordered_by_due_date_and_pages_with_a_cursor(client, world, register):
    a = register(received_at=local(2025, 8, 20), at=local(2025, 8, 21)).petition
    b = register(received_at=local(2025, 8, 10), at=local(2025, 8, 21)).petition
    c = register(received_at=local(2025, 8, 15), at=local(2025, 8, 21)).petition
    h = auth(world.clerk)
    r = client.get("/api/v1/worklist?limit=2", **h)
    page = r.json()
    assert [x["id"] for x in page["items"]] == [b.pk, c.pk]
    assert page["items"][0]["due_status"] == "overdue"  # 15 days after 08-10 is 08-25
    r = client.get(f"/api/v1/worklist?limit=2&cursor={page['next_cursor']}", **h)
    assert [x["id"] for x in r.json()["items"]] == [a.pk] and r.json()["next_cursor"] is None


def test_the_worklist_query_count_does_not_grow_with_the_page(client, world, register):
    for i in range(3):
        register(received_at=local(2025, 8, 10 + i), at=local(2025, 8, 21))
    h = auth(world.clerk)
    client.get("/api/v1/worklist", **h)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/worklist", **h)
    for i in range(10):
        register(received_at=local(2025, 8, 1 + i), at=local(2025, 8, 21))
    with CaptureQueriesContext(connection) as big:
        client.get("/api/v1/worklist", **h)
    assert len(big) == len(small) <= 4


def test_the_worklist_refuses_a_filter_value_it_does_not_offer_and_filters_by_flag(
    client, world, register
):
    """Issue 14: an unknown state, category, channel, deadline colour or flag, or a region that
    is not a code, was an empty page ("nothing to do"); now a 400 naming each filter."""
    from xinfang.petitions.services import petition_flag_set

    a = register(received_at=local(2025, 8, 20), at=local(2025, 8, 21)).petition
    register(received_at=local(2025, 8, 10), at=local(2025, 8, 21))
    petition_flag_set(petition_id=a.pk, flag="supervised", on=True, actor=world.po_head)
    h = auth(world.clerk)
    r = client.get("/api/v1/worklist?flag=supervised", **h)
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [a.pk]
    bad = {"state": "nonsense", "category": "x", "channel": "pigeon", "due": "late",
           "flag": "secret", "region": "99ab"}  # fmt: skip
    for k, v in bad.items():
        r = client.get("/api/v1/worklist", {k: v}, **h)
        assert r.status_code == 400 and r.json()["code"] == "bad_param", (k, r.content)
        assert k in r.json()["fields"], r.json()
    r = client.get("/api/v1/worklist", {"state": "\x00", "due": "overdue"}, **h)
    assert r.status_code == 400 and list(r.json()["fields"]) == ["state"]
    assert client.get("/api/v1/worklist?cursor=2025-08-25_1_x", **h).status_code == 400


def test_the_list_filters_by_state_and_category(client, world, register):
    register(received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    register(
        category="suggestion", route=None, received_at=local(2025, 8, 28), at=local(2025, 8, 29)
    )
    h = auth(world.clerk)
    r = client.get("/api/v1/petitions?category=suggestion", **h)
    assert [x["category"] for x in r.json()["items"]] == ["suggestion"]
    r = client.get("/api/v1/petitions?state=closed", **h)
    assert r.json()["items"] == []


def test_the_openapi_schema_and_docs_page_are_served_without_internet_assets(client, world):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and "/api/v1/petitions" in r.json()["paths"]
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower() and "/static/ninja/" in html


def test_the_unused_window_step_is_offered_only_after_the_review_window_ends(
    client, world, register
):
    from datetime import date

    from xinfang.petitions.services import petition_act

    p = register(received_at=local(2025, 7, 1), at=local(2025, 7, 1)).petition
    opinion = {
        "outcome": "explain",
        "request": "r",
        "facts": "f",
        "decision": "d",
        "legal_basis": "b",
    }
    for action, actor, on, data in [
        ("transfer", world.clerk, date(2025, 7, 2), {"to_organ_id": world.housing.pk}),
        ("acknowledge", world.head, date(2025, 7, 3), {}),
        ("start_handling", world.head, date(2025, 7, 3), {}),
        ("issue_opinion", world.head, date(2025, 7, 10), opinion),
        ("record_delivery", world.head, date(2025, 7, 11), {"method": "post", "signed": "true"}),
    ]:
        petition_act(petition_id=p.pk, action=action, actor=actor, at=on, data=data)
    h = auth(world.head)
    # T7: 30 days after 2025-07-11 is Sunday 08-10, so the window runs to Monday 08-11.
    with time_machine.travel(local(2025, 8, 11), tick=False):
        offered = client.get(f"/api/v1/petitions/{p.pk}", **h).json()["available_actions"]
        assert "request_review" in offered and "expire_window" not in offered
    with time_machine.travel(local(2025, 8, 12), tick=False):
        offered = client.get(f"/api/v1/petitions/{p.pk}", **h).json()["available_actions"]
        assert "request_review" not in offered and "expire_window" in offered
