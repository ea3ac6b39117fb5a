"""Open311: what public GET requests never show, the keys, the extensions and bad input."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import Forbidden
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.exchange.models import Open311Key, Open311Request
from xinfang.exchange.open311.keys import open311_key_issue, open311_key_revoke
from xinfang.exchange.tests.test_open311_spec import BASE, errors_of, post
from xinfang.petitions.models import Petition


@pytest.fixture
def key(world):
    return open311_key_issue(name="随手拍", actor=None)[1]


def _codes(client, query="", key=""):
    r = client.get(f"{BASE}/requests.json?{query}" + (f"&api_key={key}" if key else ""))
    assert r.status_code == 200, r.content
    return {row["service_request_id"] for row in r.json()}


def test_confidential_accusation_and_unpublished_requests_never_appear_in_public_get(
    client, world, key
):
    """Planted fault (checked): dropping ``confidential=True`` from ``selectors.NEVER_SHOWN``
    shows the confidential request and fails this test; so does dropping the accusation line."""
    shown = post(client, key).json()[0]["service_request_id"]
    secret = post(client, key, **{"attribute[confidential]": "true"}).json()[0][
        "service_request_id"
    ]
    accusation = post(client, key, service_code="accusation").json()[0]["service_request_id"]
    private = post(client, key, **{"attribute[publish]": "false"}).json()[0]["service_request_id"]
    topic = client.get(f"{BASE}/services.json").json()[3]["service_code"]
    topic_accusation = post(
        client, key, service_code=topic, **{"attribute[category]": "accusation"}
    ).json()[0]["service_request_id"]
    hidden = {secret, accusation, topic_accusation}
    assert _codes(client) == {shown}
    assert _codes(client, "extensions=true&status=open,closed") == {shown}
    for code in hidden | {private}:
        r = client.get(f"{BASE}/requests/{code}.json")
        assert r.status_code == 404
        errors_of(r)
        assert _codes(client, f"service_request_id={code}") == set()
    # the client's own key adds its unpublished requests, never the confidential ones
    assert _codes(client, key=key) == {shown, private}
    other = open311_key_issue(name="另一个应用", actor=None)[1]
    assert _codes(client, key=other) == {shown}
    # a petition a clerk later classifies as an accusation leaves the public list at once
    p = Petition.objects.get(tracking_code=shown)
    Petition.objects.filter(pk=p.pk).update(category="accusation")
    assert _codes(client) == set()


def test_a_confidential_request_is_never_published_even_when_the_client_asks(client, world, key):
    code = post(
        client, key, **{"attribute[confidential]": "true", "attribute[publish]": "true"}
    ).json()[0]["service_request_id"]
    assert Open311Request.objects.get(petition__tracking_code=code).publish is False


def test_keys_are_stored_hashed_issued_and_revoked_by_administrators_and_audited(client, world):
    admin = staff_create(
        username="kadmin", password="test-pass-123", organ=world.county_po, roles=[Role.ADMIN]
    )
    row, key = open311_key_issue(name="市民通", actor=admin)
    assert key not in row.key_hash and len(row.key_hash) == 64 and key.startswith(row.prefix)
    assert AuditRecord.objects.filter(
        kind="open311.key_issue", object_id=str(row.pk), actor_id=admin.pk
    ).exists()
    with pytest.raises(Forbidden):
        open311_key_issue(name="x", actor=world.clerk)
    assert post(client, key).status_code == 201
    open311_key_revoke(key_id=row.pk, actor=admin)
    assert AuditRecord.objects.filter(kind="open311.key_revoke", object_id=str(row.pk)).exists()
    r = post(client, key)
    assert r.status_code == 403 and errors_of(r)
    assert Open311Request.objects.count() == 1


def test_a_request_is_audited_and_an_idempotency_key_never_registers_twice(client, world, key):
    first = client.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "suggestion",
                        "description": "建议在幸福小区增设公交站。", "address_id": "990102"},
                        HTTP_IDEMPOTENCY_KEY="abc-1")  # fmt: skip
    again = client.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "suggestion",
                        "description": "建议在幸福小区增设公交站。", "address_id": "990102"},
                        HTTP_IDEMPOTENCY_KEY="abc-1")  # fmt: skip
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Petition.objects.count() == 1
    p = Petition.objects.get()
    assert p.is_anonymous and not p.parties.exists()  # no name given: an anonymous petition
    assert AuditRecord.objects.filter(kind="open311.request", object_id=str(p.pk)).count() == 1


def test_pagination_updated_after_and_status_filters(client, world, key):
    codes = [post(client, key).json()[0]["service_request_id"] for _ in range(3)]
    page1 = client.get(f"{BASE}/requests.json?page_size=2").json()
    page2 = client.get(f"{BASE}/requests.json?page_size=2&page=2").json()
    assert len(page1) == 2 and len(page2) == 1
    assert {r["service_request_id"] for r in page1 + page2} == set(codes)
    p = Petition.objects.get(tracking_code=codes[0])
    later = p.last_event_at + timedelta(seconds=1)
    Petition.objects.filter(pk=p.pk).update(last_event_at=later + timedelta(hours=1))
    after = later.isoformat()
    assert _codes(client, f"updated_after={after.replace('+', '%2B')}") == {codes[0]}
    assert _codes(client, "status=closed") == set()
    assert _codes(client, "status=open") == set(codes)


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "updated_after=2026-13-45T00:00:00Z",
        "page_size=0",
        "page_size=100000",
        "page=-1",
        "page=99999999999999999999",
        "status=pending",
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
    ],
)
def test_bad_query_parameters_are_a_400_in_the_error_format(client, world, query):
    r = client.get(f"{BASE}/requests.json?{query}")
    assert r.status_code == 400
    errors_of(r)


@pytest.mark.parametrize(
    "fields,status",
    [
        ({"api_key": None}, 403),
        ({"api_key": "o311_wrong"}, 403),
        ({"api_key": "x" * 5000}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "pothole"}, 404),
        ({"service_code": "topic-99999999999999999999999"}, 404),
        ({"service_code": "topic-²"}, 404),
        ({"address_id": None}, 400),
        ({"address_id": "000000"}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "91", "long": "0"}, 400),
        ({"lat": "NaN"}, 400),
        ({"lat": "1e999999"}, 400),
        ({"long": None}, 400),
        ({"description": None}, 400),
        ({"description": "长" * 60_000}, 400),
        ({"phone": "12"}, 400),
        ({"first_name": None, "last_name": None}, 400),  # a phone without a name: not anonymous
        ({"attribute[publish]": "maybe"}, 400),
        ({"attribute[category]": "pothole"}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"address_string": "路" * 300}, 400),
        ({"last_name": "张" * 300}, 400),
    ],
)
def test_bad_submissions_are_4xx_in_the_error_format_and_register_nothing(
    client, world, key, fields, status
):
    r = post(client, key, **fields)
    assert r.status_code == status, r.content
    errors_of(r)
    assert Petition.objects.count() == 0


def test_a_nul_byte_an_unknown_path_and_a_wrong_method_answer_in_the_error_format(
    client, world, key
):
    r = post(client, key, description="路灯\x00坏了")
    assert r.status_code == 400
    errors_of(r)
    r = client.get(f"{BASE}/requests.xml?service_code=%00")
    assert r.status_code == 400 and ET.fromstring(r.content).tag == "errors"
    for path in (
        f"{BASE}/nothing.json",
        f"{BASE}/requests.csv",
        "/open311/",
        f"{BASE}/tokens/abc.json",
    ):
        r = client.get(path)
        assert r.status_code == 404
        errors_of(r)
    r = client.delete(f"{BASE}/services.json")
    assert r.status_code == 405 and "GET" in r["Allow"]
    errors_of(r)
    x = client.get(f"{BASE}/requests/{'Z' * 80}.xml")
    assert x.status_code == 404
    err = ET.fromstring(x.content)
    assert err.tag == "errors" and [c.tag for c in err[0]] == ["code", "description"]
    assert Open311Key.objects.count() == 1


def test_the_key_command_issues_lists_and_revokes_naming_the_administrator(world):
    from io import StringIO

    from django.core.management import call_command

    admin = staff_create(
        username="kadmin", password="test-pass-123", organ=None, roles=[Role.ADMIN]
    )
    out = StringIO()
    call_command("open311_key", "issue", "市民通", "--by", "kadmin", stdout=out, stderr=StringIO())
    key_id, name, key = out.getvalue().split()
    row = Open311Key.objects.get(pk=key_id)
    assert key.startswith("o311_") and row.issued_by == admin
    out = StringIO()
    call_command("open311_key", "list", stdout=out)
    assert "active" in out.getvalue() and key not in out.getvalue()
    call_command("open311_key", "revoke", key_id, "--by", "kadmin", stdout=StringIO())
    assert AuditRecord.objects.get(kind="open311.key_revoke").actor_id == admin.pk


def test_get_requests_reads_a_fixed_number_of_queries_whatever_the_page_size(
    client, world, key, django_assert_max_num_queries
):
    """No query per request: the organ is joined, the notes prefetched, the service names
    read once (the query budget of this endpoint: 6 with extensions)."""
    for _ in range(2):
        post(client, key)
    with django_assert_max_num_queries(6):
        assert len(client.get(f"{BASE}/requests.json?extensions=true").json()) == 2
    for _ in range(4):
        post(client, key)
    with django_assert_max_num_queries(6):
        assert len(client.get(f"{BASE}/requests.json?extensions=true").json()) == 6
    with django_assert_max_num_queries(4):
        client.get(f"{BASE}/requests.xml")


def test_errors_are_in_chinese_by_default_and_in_english_on_request(client, world):
    r = client.get(f"{BASE}/requests.json?status=pending")
    assert errors_of(r) == ["status 应为 open 或 closed"]
    r = client.get(f"{BASE}/requests.json?status=pending", HTTP_ACCEPT_LANGUAGE="en")
    assert errors_of(r) == ["status should be open or closed"]
