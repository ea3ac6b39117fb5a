"""The staff page: upload, map the columns with a preview, dry run, commit in the background;
only the uploader sees a run; bad input is a clear 4xx."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.imports.models import ImportRun
from xinfang.imports.tasks import import_run_task
from xinfang.imports.tests.test_import import csv_bytes, row
from xinfang.petitions.models import Petition

pytestmark = [pytest.mark.django_db]


def upload(client, rows, source="县信访局旧系统", key="k1"):  # type: ignore[no-untyped-def]
    f = SimpleUploadedFile("old.csv", csv_bytes(rows), content_type="text/csv")
    return client.post("/imports/", {"once": key, "source": source, "file": f})


def mapping_post(client, run, do, key):  # type: ignore[no-untyped-def]
    data = {"once": key, "do": do, **{f"col_{k}": c for k, c in run.mapping.items()}}
    return client.post(f"/imports/{run.pk}/", data)


def test_a_clerk_uploads_checks_and_commits_a_file(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.clerk)
    assert "历史导入" in client.get("/worklist/").content.decode()
    r = upload(client, [row(), row(**{"行号": "A-2"})])
    assert r.status_code == 302
    run = ImportRun.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert "import-preview" in page and "小区停车位被占" in page  # the first rows
    assert 'value="登记机关" selected' in page  # the columns guessed from their names
    with django_capture_on_commit_callbacks(execute=True):
        assert mapping_post(client, run, "check", "k2").status_code == 302
    run.refresh_from_db()
    assert run.state == "checking"
    assert 'http-equiv="refresh"' in client.get(r["Location"]).content.decode()
    import_run_task.func(run_id=run.pk, commit=False)  # what `xinfang worker` runs
    run.refresh_from_db()
    assert run.state == "checked" and run.report["good"] == 2
    assert Petition.objects.count() == 0  # a dry run writes nothing
    page = client.get(r["Location"]).content.decode()
    assert "import-commit" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert mapping_post(client, run, "commit", "k3").status_code == 302
        assert mapping_post(client, run, "commit", "k3").status_code == 303  # a refresh: once
    import_run_task.func(run_id=run.pk, commit=True)
    run.refresh_from_db()
    assert (run.state, run.imported) == ("done", 2)
    assert Petition.objects.count() == 2
    assert "import-done" in client.get(r["Location"]).content.decode()


def test_a_commit_before_a_clean_dry_run_is_refused(client, world):
    client.force_login(world.clerk)
    upload(client, [row(), row(**{"行号": "A-2", "登记机关": "无此机关"})])
    run = ImportRun.objects.get()
    assert mapping_post(client, run, "commit", "k2").status_code == 400
    mapping_post(client, run, "check", "k3")
    import_run_task.func(run_id=run.pk, commit=False)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "没有这个机关" in page and "import-commit" not in page
    assert mapping_post(client, run, "commit", "k4").status_code == 400
    assert Petition.objects.count() == 0


def test_rows_outside_the_importers_organ_are_bad_rows(client, world):
    client.force_login(world.city_clerk)  # the city office: the county office is not below it
    upload(client, [row()])
    run = ImportRun.objects.get()
    mapping_post(client, run, "check", "k2")
    import_run_task.func(run_id=run.pk, commit=False)
    run.refresh_from_db()
    assert run.report["bad"] == 1
    assert "不在您所在机关" in run.report["problems"][0]["reasons"][0]


def test_only_the_uploader_sees_a_run_and_other_roles_cannot_import(client, world):
    client.force_login(world.clerk)
    upload(client, [row()])
    run = ImportRun.objects.get()
    client.force_login(world.po_head)  # another registrar of the same office
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    client.force_login(world.analyst)
    assert client.get("/imports/").status_code == 403
    assert "/imports/" not in client.get("/analytics/").content.decode()
    client.force_login(world.handler)
    assert client.get(f"/imports/{run.pk}/").status_code == 403


@pytest.mark.parametrize(
    "content,source",
    [
        (b"", "x"),
        (b"PK\x03\x04 not really a zip", "x"),
        (None, "a\x00b"),
        (None, ""),
        (None, "x" * 101),
    ],
)
def test_bad_uploads_are_refused_with_the_form_kept(client, world, content, source):
    client.force_login(world.clerk)
    data = content if content is not None else csv_bytes([row()])
    f = SimpleUploadedFile("old.xlsx" if data.startswith(b"PK") else "old.csv", data)
    r = client.post("/imports/", {"once": "k", "source": source, "file": f})
    assert r.status_code == 400
    page = r.content.decode()
    # NUL bytes are refused before the view by the site's guard, with its own explanation
    assert "error-summary" in page or ("\x00" in source and "删除这些字符" in page)
    assert ImportRun.objects.count() == 0


def test_a_malformed_or_huge_run_id_is_a_404(client, world):
    client.force_login(world.clerk)
    assert client.get("/imports/99999999999999999999/").status_code == 404
    assert client.get("/imports/0/").status_code == 404


def test_a_running_import_shows_its_progress_from_the_database_not_the_file(client, world):
    client.force_login(world.clerk)
    r = upload(client, [row(), row(**{"行号": "A-2"})])
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        state="running", progress_phase="commit", progress_done=500, progress_total=1500
    )
    run.file.delete(save=False)  # the worker's copy is all the page could re-read: it does not
    page = client.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="500"' in html and "500 / 1500" in html
    assert "无法再读取该文件" not in html


def test_a_commit_stopped_half_way_keeps_whole_batches_and_a_second_run_finishes(
    world, monkeypatch
):
    from xinfang.imports import services
    from xinfang.imports.models import ImportedRow
    from xinfang.imports.tests.test_import import run as import_file

    rows = [row(**{"行号": f"A-{i}"}) for i in range(5)]
    monkeypatch.setattr(services, "BATCH", 2)
    real = services.petition_register_past_many
    calls = []

    def crash_on_the_third_batch(**kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker was stopped")
        return real(**kw)

    monkeypatch.setattr(services, "petition_register_past_many", crash_on_the_third_batch)
    with pytest.raises(RuntimeError):
        import_file(rows)
    assert Petition.objects.count() == 4 == ImportedRow.objects.count()  # two whole batches
    assert all(p.events.count() == 9 for p in Petition.objects.all())  # each petition whole
    monkeypatch.setattr(services, "petition_register_past_many", real)
    out = import_file(rows)
    assert out.imported == 1 and len(out.report.skipped) == 4
    assert Petition.objects.count() == 5
    from xinfang.audit.verify import audit_verify

    assert audit_verify().problems == []


def test_the_mapping_labels_and_the_state_are_in_english(client, world):
    from xinfang.core.errors import Forbidden

    client.force_login(world.clerk)
    client.cookies["django_language"] = "en"
    r = upload(client, [row()])
    page = client.get(r["Location"]).content.decode()
    for key, en in (("channel", "Channel"), ("accepted", "Accepted on"), ("route", "Route"),
                    ("transferred_to", "Transferred to"), ("evaluated", "Evaluated on")):  # fmt: skip
        assert f'<label for="col-{key}">{en}<' in page, key  # the file's own headers stay as they are
    assert "Columns to check" in page and "待核对列" not in page
    assert "Columns to check" in client.get("/imports/").content.decode()
    from django.utils import translation

    with translation.override("en"):
        assert Forbidden().message == "You are not allowed to do this"
