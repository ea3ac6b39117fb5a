"""Exports of the petition list: CSV and XLSX, the export capability, masking, the audit."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import local
from xinfang.api.services import token_issue
from xinfang.petitions.services import PartyInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PHONE = "13912345678"
ID_NUMBER = "11010119900307803X"


@pytest.fixture
def petition(register):
    return register(
        title='=HYPERLINK("http://x")油烟扰民',
        received_at=local(2025, 8, 28),
        parties=[PartyInput(role="petitioner", name="李四", phone=PHONE, id_number=ID_NUMBER)],
    ).petition


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return [[c or "" for c in row] for row in ws.iter_rows(values_only=True)]


def test_a_registrar_exports_csv_with_identities_and_the_export_is_audited(client, world, petition):
    from xinfang.audit.models import AuditRecord

    client.force_login(world.clerk)
    r = client.get("/export/petitions.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    rows = _csv_rows(r.content)
    assert rows[0][0] == "查询码" and len(rows) == 2
    row = rows[1]
    assert row[1].startswith("'=HYPERLINK")  # no formula reaches the spreadsheet
    assert "李四" in row and PHONE in row and ID_NUMBER in row
    rec = AuditRecord.objects.get(kind="export", actor_id=world.clerk.pk)
    assert rec.data["rows"] == 1 and rec.data["format"] == "csv"
    assert rec.data["identities_shown"] == [petition.pk]
    assert PHONE not in str(rec.data)


def test_the_xlsx_export_has_the_same_rows(client, world, petition):
    client.force_login(world.clerk)
    r = client.get("/export/petitions.xlsx", {"category": "appeal"})
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    rows = _xlsx_rows(r.content)
    assert rows[0][0] == "查询码" and len(rows) == 2 and PHONE in rows[1]


def test_roles_without_view_identity_export_masked_identities(client, world, petition):
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    sup = staff_create(
        username="sup", password="Sup-pass-123", organ=world.county_po, roles=[Role.SUPERVISOR]
    )
    client.force_login(sup)
    row = _csv_rows(client.get("/export/petitions.csv").content)[1]
    assert PHONE not in row and "139****5678" in row and ID_NUMBER not in row
    assert AuditRecord.objects.get(kind="export", actor_id=sup.pk).data["identities_shown"] == []


def test_roles_without_export_are_refused_on_pages_and_the_api(client, world, petition):
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    leader = staff_create(
        username="ld", password="Leader-pass-1", organ=world.county_po, roles=[Role.LEADER]
    )
    client.force_login(leader)
    assert client.get("/export/petitions.csv").status_code == 403
    r = client.get(
        "/api/v1/export/petitions", HTTP_AUTHORIZATION=f"Bearer {token_issue(user=leader)}"
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    client.force_login(world.analyst)
    assert client.get("/export/petitions.xlsx").status_code == 403
    assert not AuditRecord.objects.filter(kind="export").exists()


def test_the_api_export_filters_and_answers_a_file(client, world, petition):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    r = client.get("/api/v1/export/petitions", {"format": "csv"}, **auth)
    assert r.status_code == 200 and len(_csv_rows(r.content)) == 2
    r = client.get("/api/v1/export/petitions", {"format": "xlsx", "state": "closed"}, **auth)
    assert r.status_code == 200 and len(_xlsx_rows(r.content)) == 1
    r = client.get("/api/v1/export/petitions", {"format": "pdf"}, **auth)
    assert r.status_code == 422


def test_other_organs_export_nothing_of_a_petition_not_theirs(client, world, petition):
    client.force_login(world.head)  # the housing bureau: the petition is at the petition office
    assert len(_csv_rows(client.get("/export/petitions.csv").content)) == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_over_the_limit_says_it_is_cut_off(client, world, register, settings, fmt):
    """The newest XINFANG_EXPORT_MAX_ROWS rows, then a last row saying more matched; the audit
    record says so too and lists only the identities actually written."""
    from xinfang.audit.models import AuditRecord

    settings.XINFANG_EXPORT_MAX_ROWS = 2
    made = [
        register(title=f"油烟{i}", received_at=local(2025, 8, 20 + i)).petition for i in range(3)
    ]
    client.force_login(world.clerk)
    r = client.get(f"/export/petitions.{fmt}")
    rows = _csv_rows(r.content) if fmt == "csv" else _xlsx_rows(r.content)
    assert [x[1] for x in rows[1:3]] == ["油烟2", "油烟1"]
    assert len(rows) == 4 and "仅导出了最新的 2 件" in rows[3][0]
    rec = AuditRecord.objects.get(kind="export")
    assert rec.data["rows"] == 2 and rec.data["truncated"] is True
    assert rec.data["identities_shown"] == [made[2].pk, made[1].pk]
    settings.XINFANG_EXPORT_MAX_ROWS = 3
    r = client.get(f"/export/petitions.{fmt}")
    rows = _csv_rows(r.content) if fmt == "csv" else _xlsx_rows(r.content)
    assert len(rows) == 4 and not any("仅导出" in str(x[0]) for x in rows)
