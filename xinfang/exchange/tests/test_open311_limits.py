"""Open311: a client's retry without Idempotency-Key registers nothing twice, a key that sends
too much is slowed with 429 and Retry-After, and the boundary's refusals are Open311's own
error answer (issue 20)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from xinfang.exchange.models import Open311Request
from xinfang.exchange.open311 import spec
from xinfang.exchange.open311.keys import open311_key_issue
from xinfang.exchange.tests.test_open311_spec import BASE, errors_of, post
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world):
    cache.clear()  # the rate counters of an earlier test's key (the same id, rolled back)
    return open311_key_issue(name="随手拍", actor=None)[1]


def test_a_retry_without_idempotency_key_is_answered_as_the_first_and_registers_nothing(
    client, world, key, settings
):
    """Planted fault: without the payload claim (``_payload_window_open`` and the digest as
    the key) the retry registered a second petition. Planted fault: without the password kept
    (encrypted) in the claim, the retry, whose first answer never arrived, got none."""
    from xinfang.core.models import OnceKey

    first = post(client, key, device_id="phone-1")
    assert first.status_code == 201
    code, password = first.json()[0]["service_request_id"], first.json()[0]["query_password"]
    assert password not in repr(list(OnceKey.objects.values_list("result", flat=True)))
    again = post(client, key, device_id="phone-1")
    assert again.status_code == 200
    [answer] = again.json()
    assert answer["service_request_id"] == code and "未重复登记" in answer["service_notice"]
    # the client timed out before the first answer: the retry carries the same password
    assert answer["query_password"] == password and password in answer["service_notice"]
    assert Petition.objects.count() == 1 == Open311Request.objects.count()
    # another application's key sending the same fields is another request
    other = open311_key_issue(name="另一个应用", actor=None)[1]
    assert post(client, other, device_id="phone-1").status_code == 201
    # the same text after the window is a new request (a second incident), not a retry
    settings.XINFANG_OPEN311_DEDUPE_SECONDS = 0
    assert post(client, key, device_id="phone-1").status_code == 201
    assert Petition.objects.count() == 3


def test_two_identical_reports_that_name_no_one_are_two_requests(client, world, key):
    """Review-b #7. Planted fault: merging payloads without device_id/account_id/email/phone
    gave the second resident the first one's service_request_id and registered nothing."""
    anon = dict(device_id=None, first_name=None, last_name=None, phone=None,
                description="路灯不亮", **{"attribute[publish]": None})  # fmt: skip
    a, b = post(client, key, **anon), post(client, key, **anon)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()[0]["service_request_id"] != b.json()[0]["service_request_id"]
    assert Petition.objects.count() == 2


def test_the_payload_window_defaults_to_a_retry_horizon_not_a_day():
    from config.settings import base

    assert base.XINFANG_OPEN311_DEDUPE_SECONDS <= 600


def test_an_idempotency_key_still_decides_when_sent(client, world, key):
    data = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    a = client.post(f"{BASE}/requests.json", _fields(key, "a"), **data)
    b = client.post(f"{BASE}/requests.json", _fields(key, "b"), **data)  # same key, other body
    assert (a.status_code, b.status_code) == (201, 422)
    errors_of(b)


def _fields(key, device):
    return {"api_key": key, "service_code": "appeal", "description": "路灯损坏两个月，请求修复。",
            "address_id": "990102", "device_id": device}  # fmt: skip


def test_a_key_past_its_rate_limit_gets_429_with_retry_after_in_the_error_format(
    client, world, key, settings
):
    """Planted fault: ``_key_from`` without ``_rate_check`` let every request through."""
    settings.XINFANG_OPEN311_RATE_LIMIT = 2
    settings.XINFANG_OPEN311_RATE_WINDOW_SECONDS = 60
    assert post(client, key).status_code == 201
    assert client.get(f"{BASE}/requests.json?api_key={key}").status_code == 200
    r = post(client, key)
    assert r.status_code == 429
    assert 1 <= int(r["Retry-After"]) <= 61
    [description] = errors_of(r)
    assert "请求过于频繁" in description
    x = client.get(f"{BASE}/requests.xml?api_key={key}")
    assert x.status_code == 429 and b"<errors>" in x.content
    assert Petition.objects.count() == 1
    # public reads without a key are not counted against it
    assert client.get(f"{BASE}/requests.json").status_code == 200
    # another key has its own count
    other = open311_key_issue(name="另一个应用", actor=None)[1]
    assert post(client, other).status_code == 201
    settings.XINFANG_OPEN311_RATE_LIMIT = 0  # 0: no limit
    assert post(client, key).status_code == 201


@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_the_boundary_refuses_under_open311_with_open311_s_own_error_answer(client, world, suffix):
    """A NUL byte is refused by the boundary (core.boundary) before any view: its answer is
    ``views.error_answer`` (registered by the exchange app), byte for byte what a view's own
    400 would be. Planted fault: without the registration the boundary answered its generic
    JSON ``{"code", "message"}`` even for .xml."""
    r = client.get(f"{BASE}/requests.{suffix}?service_code=%00")
    assert r.status_code == 400
    body, ctype = spec.render(suffix, "errors", spec.errors(400, ["x"]))
    assert r["Content-Type"] == ctype
    if suffix == "json":
        [e] = errors_of(r)
    else:
        assert r.content.startswith(b"<?xml") and b"<errors><error><code>400</code>" in r.content
