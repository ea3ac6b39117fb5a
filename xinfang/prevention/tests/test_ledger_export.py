"""The ledger's XLSX export in the background: asked for once from the ledger page, written by
the worker's task with its progress, downloaded by the one who asked only."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from xinfang.prevention.models import ExportState, LedgerExport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
KEY = "6f1c9a4e-2b1d-4c3e-8f5a-9d7b6c5e4a3b"


def _ask(client, **over):
    data = {"once": KEY, "cycle": "2025-08", "organ": "", "kind": "", "status": ""}
    data.update(over)
    return client.post("/prevention/disputes/exports/", data)


def test_an_export_is_asked_once_written_by_the_worker_and_downloaded(
    client, town, record, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from xinfang.prevention.tasks import ledger_export_run

    record()
    record(found_on=date(2025, 7, 3))  # another cycle: not in the file
    client.force_login(town.clerk)
    page = client.get("/prevention/disputes/?cycle=2025-08").content.decode()
    assert 'action="/prevention/disputes/exports/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = _ask(client)
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client)["Location"] == r["Location"]  # a refresh asks nothing more
    job = LedgerExport.objects.get()
    assert DBTaskResult.objects.filter(task_path=ledger_export_run.module_path).count() == 1
    waiting = client.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "export-download" not in waiting
    assert client.get(f"/prevention/disputes/exports/{job.pk}/file").status_code == 409

    ledger_export_run.func(export_id=job.pk)  # what `xinfang worker` runs
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.rows_done == job.rows_total == 1
    done = client.get(r["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and "export-download" in done
    f = client.get(f"/prevention/disputes/exports/{job.pk}/file")
    rows = list(
        load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "青山镇人民政府矛盾纠纷排查化解台账（2025年8月）"
    assert (
        len(rows) == 3 and "申请方：赵大" in rows[2][5] and rows[2][2].date() == date(2025, 8, 20)
    )

    # another user, even one who sees the same ledger, neither sees nor downloads it
    client.force_login(town.head)
    assert client.get(r["Location"]).status_code == 404
    assert client.get(f"/prevention/disputes/exports/{job.pk}/file").status_code == 404


def test_the_file_holds_only_what_the_requester_may_see_now(town, record):
    from xinfang.prevention.services.ledger import ledger_export_request, ledger_export_write

    record()
    record(organ=town.other, actor=town.county_head)
    job = ledger_export_request(actor=town.clerk, filters={}, title="台账")
    job = ledger_export_write(export_id=job.pk)
    assert job.rows_total == 1  # the other township is outside the clerk's scope
    # the rights lost before the worker ran (the account closed): the export fails, no file
    from xinfang.core.errors import Forbidden
    from xinfang.directory.models import User

    other = ledger_export_request(actor=town.county_head, filters={}, title="台账")
    User.objects.filter(pk=town.county_head.pk).update(is_active=False)
    with pytest.raises(Forbidden):
        ledger_export_write(export_id=other.pk)
    other.refresh_from_db()
    assert other.state == ExportState.FAILED and not other.file


def test_bad_export_requests_are_a_clear_4xx(client, town):
    client.force_login(town.clerk)
    assert _ask(client, cycle="2025-13").status_code == 400
    assert _ask(client, kind="nope").status_code == 400
    assert client.get("/prevention/disputes/exports/").status_code == 405
    assert client.get("/prevention/disputes/exports/999/").status_code == 404
    client.force_login(town.leader)  # reads the ledger, may not export
    assert _ask(client).status_code == 403
    assert "ledger-export" not in client.get("/prevention/disputes/").content.decode()


def test_exports_and_their_files_are_forgotten_after_a_week(town, record):
    from datetime import timedelta

    from xinfang.core import clock
    from xinfang.prevention.jobs import prevention_ledger_exports_forget
    from xinfang.prevention.services.ledger import ledger_export_request, ledger_export_write

    record()
    job = ledger_export_write(
        export_id=ledger_export_request(actor=town.clerk, filters={}, title="台账").pk
    )
    path = job.file.path
    now = clock.now()
    assert prevention_ledger_exports_forget(now=now + timedelta(days=6)) == {"deleted": 0}
    assert prevention_ledger_exports_forget(now=now + timedelta(days=8)) == {"deleted": 1}
    import os

    assert not LedgerExport.objects.exists() and not os.path.exists(path)
