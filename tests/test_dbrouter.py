"""Analytics, search and exports read from the replica; a user's own writes are read from the
primary for a short window; a page built from the replica says how old it may be (ADR 0015).

The ``replica`` alias mirrors the test database (config/settings/test.py), so these tests run
on SQLite and PostgreSQL alike; they are transactional because inside the test case's
transaction the router rightly keeps every read on the primary."""

from __future__ import annotations

import time

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from xinfang.core import dbrouter
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)

LETTER = {"title": "路灯损坏请求维修", "content": "小区门口路灯损坏，请求维修。",
          "received_on": "2025-08-28", "region_code": "990102", "category": "appeal",
          "route": "6", "p_name": "张三"}  # fmt: skip


@pytest.fixture
def with_replica(settings):
    settings.XINFANG_READ_REPLICA = "replica"
    settings.XINFANG_READ_YOUR_WRITES_SECONDS = 10


def _queries(alias: str):  # type: ignore[no-untyped-def]
    return CaptureQueriesContext(connections[alias])


def test_reads_go_to_the_replica_only_where_asked_and_never_inside_a_transaction(with_replica):
    assert Petition.objects.all().db == "default"
    with dbrouter.replica_reads():
        assert Petition.objects.all().db == "replica"
        with transaction.atomic():  # a service reading what it is about to write
            assert Petition.objects.all().db == "default"
        with dbrouter.primary_reads():  # the user wrote a moment ago
            assert Petition.objects.all().db == "default"
    assert Petition.objects.none().db == "default"


def test_without_a_replica_everything_reads_from_the_primary(settings):
    settings.XINFANG_READ_REPLICA = ""
    with dbrouter.replica_reads():
        assert Petition.objects.all().db == "default"


def test_the_analytics_page_reads_from_the_replica_and_says_how_old_its_figures_may_be(
    client, world, with_replica
):
    client.force_login(world.analyst)
    with _queries("replica") as on_replica:
        r = client.get("/analytics/")
    assert r.status_code == 200
    assert len(on_replica) > 0  # the figures came from the replica
    assert "本页数据读自只读副本" in r.content.decode()


def test_a_page_whose_lag_cannot_be_read_states_the_configured_bound(
    client, world, with_replica, settings, monkeypatch
):
    settings.XINFANG_REPLICA_MAX_LAG_SECONDS = 45
    monkeypatch.setattr(dbrouter, "replica_lag_seconds", lambda alias: None)
    client.force_login(world.analyst)
    html = client.get("/analytics/").content.decode()
    assert "可能比最新数据晚约 45 秒" in html


def test_the_worklist_reads_from_the_primary_and_claims_no_lag(client, world, with_replica):
    client.force_login(world.clerk)
    with _queries("replica") as on_replica:
        r = client.get("/worklist/")
    assert r.status_code == 200 and len(on_replica) == 0
    assert "只读副本" not in r.content.decode()


def test_a_clerk_who_just_registered_a_letter_finds_it_in_search_read_from_the_primary(
    client, world, with_replica
):
    client.force_login(world.clerk)
    r = client.post("/intake/letter/", LETTER)
    assert r.status_code == 302 and dbrouter.COOKIE in r.cookies  # a write: pinned to the primary
    with _queries("replica") as on_replica, _queries("default") as on_primary:
        html = client.get("/search/", {"by": "text", "q": "路灯"}).content.decode()
    assert len(on_replica) == 0 and len(on_primary) > 0
    assert "路灯损坏请求维修" in html
    assert "只读副本" not in html  # nothing read from the replica, nothing to warn about


def test_after_the_window_the_same_user_reads_search_from_the_replica_again(
    client, world, with_replica, monkeypatch
):
    client.force_login(world.clerk)
    real = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real() - 11)  # signed 11 s ago
    assert client.post("/intake/letter/", LETTER).status_code == 302
    monkeypatch.setattr("django.core.signing.time.time", real)
    with _queries("replica") as on_replica:
        assert client.get("/search/", {"by": "text", "q": "路灯"}).status_code == 200
    assert len(on_replica) > 0


def test_a_search_posted_by_a_form_does_not_pin_the_user_to_the_primary(
    client, world, with_replica
):
    client.force_login(world.clerk)
    r = client.post("/search/", {"by": "text", "q": "路灯"})
    assert r.status_code == 200 and dbrouter.COOKIE not in r.cookies


def test_a_forged_write_cookie_does_not_pin_anyone(rf, with_replica):
    request = rf.get("/")
    request.COOKIES[dbrouter.COOKIE] = "1:forged:signature"
    assert not dbrouter.wrote_recently(request)


def test_the_replica_is_never_migrated(with_replica):
    router = dbrouter.ReplicaRouter()
    assert router.allow_migrate("replica", "petitions") is False
    assert router.allow_migrate("default", "petitions") is None
    assert router.db_for_write(Petition) == "default"


def test_the_replica_note_is_in_english_for_an_english_reader(
    client, world, with_replica, settings
):
    client.force_login(world.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/analytics/").content.decode()
    assert "read from a replica of the database" in html and "只读副本" not in html
