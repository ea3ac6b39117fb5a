"""The drill-down's 台账 export in the background: asked for once from the drill-down, written by
the worker with its progress through the requester's statistics gate, downloaded by the one who
asked only; an accused organ never finds the accusation in a file."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from conftest import local
from xinfang.analytics.models import ListExport
from xinfang.analytics.services import rates_rebuild
from xinfang.analytics.tasks import list_export_run
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
KEY = "0b7f3c1e-5a2d-4e6f-9c8b-1a2b3c4d5e6f"
QUERY = "metric=accept&month_from=2025-01&month_to=2025-12"


@pytest.fixture
def facts(world, register):  # type: ignore[no-untyped-def]
    """Two appeals at the county office, and an accusation against the county office held by
    the county discipline commission (in the county office's region)."""
    out = [register(received_at=local(2025, 3, d), at=local(2025, 3, d)).petition for d in (3, 4)]
    p = register(title="检举县信访局", category="accusation", route=None,
                 accused_organ_id=world.county_po.pk, organ=world.city_po, actor=world.city_clerk,
                 received_at=local(2025, 3, 5), at=local(2025, 3, 5)).petition
    petition_act(petition_id=p.pk, action="transfer", actor=world.city_clerk,
                 at=local(2025, 3, 5), data={"to_organ_id": world.discipline.pk})
    rates_rebuild(as_of=date(2025, 9, 1))
    return [*out, p]


def _ask(client, query=QUERY, key=KEY):  # type: ignore[no-untyped-def]
    return client.post("/analytics/rates/drill/export/", {"once": key, "query": query})


def _codes(client, job) -> list[str]:  # type: ignore[no-untyped-def]
    f = client.get(f"/analytics/exports/{job.pk}/file")
    assert f.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "查询码"
    return [r[0] for r in rows[2:]]


def test_an_export_is_asked_once_written_by_the_worker_and_downloaded(
    client, world, facts, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    client.force_login(world.analyst)
    page = client.get(f"/analytics/rates/drill/?{QUERY}").content.decode()
    assert 'action="/analytics/rates/drill/export/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = _ask(client)
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client)["Location"] == r["Location"]  # a refresh asks nothing more
    job = ListExport.objects.get()
    assert DBTaskResult.objects.filter(task_path=list_export_run.module_path).count() == 1
    waiting = client.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "export-download" not in waiting
    assert client.get(f"/analytics/exports/{job.pk}/file").status_code == 409

    list_export_run.func(export_id=job.pk)  # what `xinfang worker` runs
    job.refresh_from_db()
    assert job.state == "done" and job.rows_done == job.rows_total == 2
    done = client.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and "export-download" in done
    # the county office's analyst: the two appeals, never the accusation against the office
    assert sorted(_codes(client, job)) == sorted(p.tracking_code for p in facts[:2])


def test_the_city_office_finds_the_accusation_and_nobody_else_opens_the_export(
    client, world, facts
):
    from xinfang.analytics.exports import list_export_request, list_export_write

    city = staff_create(username="cityanalyst", password="test-pass-123", organ=world.city_po,
                        roles=[Role.ANALYST])
    job = list_export_write(export_id=list_export_request(
        actor=city, kind="rates_drill", params={"metric": "accept", "outcomes": []},
        title="台账").pk)
    client.force_login(city)
    assert facts[2].tracking_code in _codes(client, job)
    for other in (world.analyst, world.po_head):  # another analyst; a role with no statistics
        client.force_login(other)
        assert client.get(f"/analytics/exports/{job.pk}/").status_code in (403, 404)
        assert client.get(f"/analytics/exports/{job.pk}/file").status_code in (403, 404)


def test_a_right_lost_before_the_worker_runs_fails_the_export(world, facts):
    from xinfang.analytics.exports import list_export_request, list_export_write
    from xinfang.directory.models import Membership

    job = list_export_request(actor=world.analyst, kind="rates_drill",
                              params={"metric": "accept", "outcomes": []}, title="台账")
    Membership.objects.filter(user=world.analyst).delete()  # no longer an analyst
    with pytest.raises(Exception):  # noqa: B017  (Forbidden)
        list_export_write(export_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and not job.file


def test_bad_export_requests_are_a_clear_4xx(client, world, facts):
    client.force_login(world.analyst)
    assert _ask(client, query="metric=nope").status_code == 400
    assert _ask(client, query="metric=accept&month_from=2025-13").status_code == 400
    assert _ask(client, query="metric=accept&x=" + "a" * 3000).status_code == 400
    assert _ask(client, query="metric=accept\x00").status_code in (400,)
    assert client.get("/analytics/rates/drill/export/").status_code == 405
    assert client.get("/analytics/exports/999/").status_code == 404
    client.force_login(world.handler)  # no statistics: no export
    assert _ask(client, key="1b7f3c1e-5a2d-4e6f-9c8b-1a2b3c4d5e6f").status_code == 403
    assert ListExport.objects.count() == 0


def test_exports_and_their_files_are_forgotten_after_a_week(world, facts):
    import os

    from xinfang.analytics.exports import list_export_request, list_export_write
    from xinfang.analytics.jobs import exports_forget
    from xinfang.core import clock

    job = list_export_write(export_id=list_export_request(
        actor=world.analyst, kind="rates_drill", params={"metric": "accept", "outcomes": []},
        title="台账").pk)
    path = job.file.path
    now = clock.now()
    assert exports_forget(now=now + timedelta(days=6)) == {"deleted": 0}
    assert exports_forget(now=now + timedelta(days=8)) == {"deleted": 1}
    assert not os.path.exists(path) and ListExport.objects.count() == 0


def test_the_export_carries_the_days_the_drill_down_shows(client, world, register):  # type: ignore[no-untyped-def]
    """Walker item 7: 天数 was 0 on every row of a 及时受理率 export (a rate's own rows carry no
    days). Now each row has the days from receipt to the acceptance notice, as the drill-down
    and the rates page's median count them; a petition not yet accepted has none."""
    accepted, waiting = (
        register(received_at=local(2025, 3, d), at=local(2025, 3, d)).petition for d in (4, 6)
    )
    petition_act(petition_id=accepted.pk, action="transfer", actor=world.clerk,
                 at=date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    petition_act(petition_id=accepted.pk, action="acknowledge", actor=world.handler,
                 at=date(2025, 3, 16))
    rates_rebuild(as_of=date(2025, 9, 1))
    client.force_login(world.analyst)
    page = client.get(f"/analytics/rates/drill/?{QUERY}").content.decode()
    assert "（12 天）" in page and page.count(" 天）") == 1
    _ask(client)
    job = ListExport.objects.get()
    list_export_run.func(export_id=job.pk)
    f = client.get(f"/analytics/exports/{job.pk}/file")
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][-1] == "天数"
    days = {r[0]: r[-1] for r in rows[2:]}
    assert days == {accepted.tracking_code: 12, waiting.tracking_code: None}


def test_a_refused_worklist_export_leads_back_to_the_list_with_its_filters(client, world):
    """fixb item 4: the refusal page linked only to home."""
    client.force_login(world.clerk)
    form = {"once": "2c8e4d2f-6b3e-4f70-8d9c-2b3c4d5e6f70", "kind": "petitions", "f:state": "nope"}
    r = client.post("/analytics/exports/new/", form)
    assert r.status_code == 400
    assert 'href="/worklist/?state=nope" id="error-back"' in r.content.decode()
    assert ListExport.objects.count() == 0
