"""Liveness, readiness and metrics endpoints, and the client address behind a trusted proxy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import override_settings

from xinfang.core import clock
from xinfang.ops.models import Heartbeat
from xinfang.ops.services import heartbeat_beat

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/-/live")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert len(r["X-Request-ID"]) == 32


def test_readiness_reports_each_check_and_a_missing_worker_only_degrades(client):
    r = client.get("/-/ready")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["worker"] == {"ok": False, "detail": "never"}
    assert body["checks"]["disk_data"]["ok"] and body["checks"]["disk_media"]["ok"]

    heartbeat_beat(name="worker", started_at=clock.now())
    r = client.get("/-/ready")
    assert r.status_code == 200 and r.json()["status"] == "ok"

    Heartbeat.objects.update(seen_at=clock.now() - timedelta(minutes=10))
    assert client.get("/-/ready").json()["checks"]["worker"]["ok"] is False


def test_readiness_is_503_when_the_disk_is_nearly_full(client):
    with override_settings(XINFANG_MIN_FREE_DISK_MB=10**12):
        r = client.get("/-/ready")
    assert r.status_code == 503 and r.json()["status"] == "unavailable"
    assert r.json()["checks"]["disk_data"]["ok"] is False


def test_readiness_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from xinfang.ops import selectors

    class Down:
        def cursor(self):
            raise OperationalError("connection timeout expired")

    monkeypatch.setattr(selectors, "connection", Down())
    r = client.get("/-/ready")
    assert r.status_code == 503
    assert r.json()["checks"]["database"] == {"ok": False, "detail": "OperationalError"}


def test_a_view_that_meets_an_unavailable_database_answers_503_not_500(client, monkeypatch):
    """A hung database (statement or connect timeout) gives a clear 503 with Retry-After."""
    from django.test import RequestFactory

    from xinfang.ops import selectors
    from xinfang.ops.middleware import RequestMiddleware

    def down(name):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(selectors, "heartbeat_age", down)
    r = client.get("/-/ready")
    assert r.status_code == 503 and r["Retry-After"] == "30"
    assert "稍后再试" in r.content.decode()
    api = RequestMiddleware(lambda req: None).process_exception(
        RequestFactory().get("/api/v1/worklist"), OperationalError("connection timeout expired")
    )
    assert api is not None and api.status_code == 503
    assert api["Content-Type"] == "application/json" and b'"unavailable"' in api.content
    assert (
        RequestMiddleware(lambda req: None).process_exception(
            RequestFactory().get("/"), ValueError("other errors are not ours")
        )
        is None
    )


def test_metrics_count_requests_by_route_and_read_the_database(
    client, world, register, django_capture_on_commit_callbacks
):
    from xinfang.ops.metrics import PETITIONS_REGISTERED
    from xinfang.ops.services import tick_run

    before = PETITIONS_REGISTERED.labels("letter")._value.get()
    with django_capture_on_commit_callbacks(execute=True):
        register()
    assert PETITIONS_REGISTERED.labels("letter")._value.get() == before + 1
    tick_run(only=["ops.overdue"])
    heartbeat_beat(name="worker", started_at=clock.now())
    client.get("/-/live")
    r = client.get("/-/metrics")
    assert r.status_code == 200
    text = r.content.decode()
    assert 'xinfang_http_requests_total{method="GET",route="-/live",status="200"}' in text
    assert "xinfang_http_request_duration_seconds_bucket" in text
    assert "xinfang_worker_heartbeat_age_seconds " in text
    assert "xinfang_search_queue_depth " in text
    assert 'xinfang_tasks{status="ready"}' in text
    assert 'xinfang_deadlines_overdue{code="T1"}' in text
    assert 'xinfang_job_last_success_timestamp_seconds{job="ops.overdue"}' in text
    assert 'xinfang_petitions_registered_total{channel="letter"}' in text


def test_metrics_are_for_the_host_itself_or_a_bearer_of_the_token(client):
    assert client.get("/-/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    # through a proxy on the same host: refused too (nginx must not publish it)
    assert client.get("/-/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    with override_settings(XINFANG_METRICS_TOKEN="s3cret-token"):
        auth = {"HTTP_AUTHORIZATION": "Bearer s3cret-token"}
        assert client.get("/-/metrics", REMOTE_ADDR="203.0.113.9", **auth).status_code == 200
        wrong = {"HTTP_AUTHORIZATION": "Bearer nope"}
        assert client.get("/-/metrics", REMOTE_ADDR="203.0.113.9", **wrong).status_code == 403


# --- trusted proxies ---------------------------------------------------------------------------


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one():
    from xinfang.ops.middleware import client_address

    with override_settings(XINFANG_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"]):
        meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.1.2.3"}
        assert client_address(meta) == ("198.51.100.7", True)
        # a client cannot pass itself off: only the right-most untrusted hop counts
        meta["HTTP_X_FORWARDED_FOR"] = "1.2.3.4, 198.51.100.7"
        assert client_address(meta) == ("198.51.100.7", True)
        meta["HTTP_X_FORWARDED_FOR"] = "not-an-address"
        assert client_address(meta) == ("127.0.0.1", True)
        # from a peer that is not a trusted proxy, the header is ignored
        meta = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
        assert client_address(meta) == ("192.0.2.1", False)
    # no trusted proxy configured: nobody's header counts
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == (
        "127.0.0.1",
        False,
    )


@override_settings(XINFANG_TRUSTED_PROXIES=["127.0.0.1"], XINFANG_PUBLIC_POSTS_PER_HOUR=2)
def test_the_portal_limit_counts_each_client_behind_the_proxy_on_its_own(client):
    def post(ip: str) -> int:
        return client.post("/portal/submit/", {}, HTTP_X_FORWARDED_FOR=ip).status_code

    assert [post("198.51.100.1") for _ in range(3)][-1] == 429
    assert post("198.51.100.2") != 429  # another petitioner behind the same nginx


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(client):
    with override_settings(XINFANG_PUBLIC_POSTS_PER_HOUR=2):
        codes = [
            client.post("/portal/submit/", {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
            for i in range(3)
        ]
    assert codes[-1] == 429  # one peer, whatever it claims to forward


@override_settings(XINFANG_TRUSTED_PROXIES=["127.0.0.1"])
def test_failed_logins_behind_the_proxy_are_counted_per_client(client, world):
    from xinfang.audit.models import AuditRecord

    client.post(
        "/login/",
        {"username": "clerk", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert AuditRecord.objects.filter(kind="login.failed", ip="198.51.100.23").exists()


def test_https_from_an_untrusted_peer_is_not_believed(client):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from xinfang.ops.middleware import RequestMiddleware

    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        return HttpResponse("ok")

    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.1")
        RequestMiddleware(view)(request)
        assert seen["secure"] is False
        with override_settings(XINFANG_TRUSTED_PROXIES=["192.0.2.1"]):
            request = RequestFactory().get(
                "/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.1"
            )
            RequestMiddleware(view)(request)
            assert seen["secure"] is True
