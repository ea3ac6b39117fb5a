"""12345 hotline exchange (docs/hotline.md): import with a dry run that reports every bad row,
all-or-nothing commit, idempotent by hotline id; answers flow back in the export."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from xinfang.audit.models import AuditRecord
from xinfang.exchange.hotline import schema
from xinfang.exchange.hotline.selectors import hotline_answers
from xinfang.exchange.hotline.services import hotline_import
from xinfang.exchange.models import HotlineOrder
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.usefixtures("frozen")


def order(n, **over):
    row = {
        "hotline_id": f"12345-2025-{n:06d}",
        "called_at": "2025-08-20T09:30:00+08:00",
        "route_to": "petition",
        "region_code": "990102",
        "category": "appeal",
        "title": "",
        "content": f"青山县幸福小区第{n}栋楼下餐馆油烟扰民，多次反映未解决，请求处理。",
        "caller_name": "李四",
        "caller_phone": "13800000001",
        "anonymous": "",
    }
    row.update(over)
    return row


def as_json(rows):
    return json.dumps({"schema": schema.SCHEMA_IN, "orders": rows}, ensure_ascii=False).encode()


def as_csv(rows):
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=schema.FIELDS_IN)
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode()


def test_an_order_for_the_petition_channel_arrives_as_a_hotline_petition_keeping_its_id(world):
    rows = [order(1), order(2, anonymous="true", caller_name="", caller_phone=""),
            order(3, route_to="hotline")]  # fmt: skip
    report = hotline_import(data=as_json(rows), fmt="json", dry_run=False, actor=None)
    assert report.committed and report.imported == 2 and report.not_for_petitions == 1
    h = HotlineOrder.objects.get(hotline_id="12345-2025-000001")
    p = h.petition
    assert (
        p.channel == "hotline"
        and p.state == "registered"
        and p.registering_organ == world.county_po
    )
    assert p.title.startswith("12345 热线转来：") and p.parties.get().name == "李四"
    anon = HotlineOrder.objects.get(hotline_id="12345-2025-000002").petition
    assert anon.is_anonymous and not anon.parties.exists()
    assert AuditRecord.objects.filter(kind="hotline.import", object_id=report.batch).exists()


def test_the_same_hotline_id_twice_is_one_petition(world):
    data = as_csv([order(1), order(2)])
    assert hotline_import(data=data, fmt="csv", dry_run=False, actor=None).imported == 2
    again = hotline_import(
        data=as_csv([order(1), order(2), order(3)]), fmt="csv", dry_run=False, actor=None
    )
    assert again.imported == 1 and again.already == ["12345-2025-000001", "12345-2025-000002"]
    assert Petition.objects.count() == 3
    dup = hotline_import(data=as_json([order(4), order(4)]), fmt="json", dry_run=False, actor=None)
    assert not dup.committed and dup.bad[0]["row"] == 2 and "重复" in dup.bad[0]["reasons"][0]
    assert Petition.objects.count() == 3


def test_a_dry_run_reports_every_bad_row_with_its_reason_and_saves_nothing(world):
    rows = [
        order(1),
        order(2, hotline_id=""),
        order(3, called_at="yesterday"),
        order(4, region_code="000000"),
        order(5, content=""),
        order(6, category="pothole"),
        order(7, caller_phone="12"),  # the registration service's own check
        order(8, caller_name="", caller_phone="13800000009"),  # a phone without a name
        order(9, content="路灯\x00坏了"),
        order(10, called_at="2031-01-01T00:00:00+08:00"),  # in the future
        order(11, title="标" * 300),
        order(12, anonymous="maybe"),
        "not an object",
    ]
    report = hotline_import(data=as_json(rows), fmt="json", dry_run=True, actor=None)
    assert not report.committed and Petition.objects.count() == 0
    assert [b["row"] for b in report.bad] == list(range(2, 14))
    assert all(b["reasons"] for b in report.bad)
    by_row = {b["row"]: " ".join(b["reasons"]) for b in report.bad}
    assert "hotline_id" in by_row[2] and "called_at" in by_row[3] and "region_code" in by_row[4]
    assert "phone" in by_row[8] and "control" in by_row[9]
    # the same file imported for real: the same report, nothing saved (all or nothing)
    real = hotline_import(data=as_json(rows), fmt="json", dry_run=False, actor=None)
    assert real.bad == report.bad and not real.committed and Petition.objects.count() == 0
    assert not HotlineOrder.objects.exists()


def test_a_bad_row_found_by_registration_late_in_the_file_rolls_back_the_batches_before_it(
    world, monkeypatch
):
    """All or nothing across batches: the first batch is written, the last holds a bad row."""
    from xinfang.exchange.hotline import services

    monkeypatch.setattr(services, "BATCH", 2)
    rows = [order(i) for i in range(1, 6)] + [order(6, caller_phone="12")]
    report = hotline_import(data=as_json(rows), fmt="json", dry_run=False, actor=None)
    assert [b["row"] for b in report.bad] == [6] and not report.committed
    assert Petition.objects.count() == 0 and not HotlineOrder.objects.exists()


@pytest.mark.parametrize(
    "data,fmt",
    [
        (b"\xff\xfe", "json"),
        (b"{not json", "json"),
        (b'{"schema": "other/9", "orders": []}', "json"),
        (b"a,b\n1,2\n", "csv"),
        (b'{"orders": 5}', "json"),
    ],  # fmt: skip
)
def test_an_unreadable_file_is_reported_not_raised(world, data, fmt):
    report = hotline_import(data=data, fmt=fmt, dry_run=False, actor=None)
    assert report.file_problem and not report.committed and Petition.objects.count() == 0


def test_a_csv_header_without_the_required_columns_is_refused_naming_them(world, tmp_path):
    """A renamed export from the hotline's system is not 'nothing today' (walker item 20)."""
    report = hotline_import(data=b"hotline_id,called_at\r\n", fmt="csv", dry_run=True, actor=None)
    assert "route_to, region_code, content" in report.file_problem
    f = tmp_path / "renamed.csv"
    f.write_bytes(b"hotline_id,called_at,route,region,text\r\n")
    with pytest.raises(SystemExit) as e:
        call_command("hotline_import", str(f), "--dry-run", stdout=StringIO())
    assert e.value.code == 1


def test_answers_flow_back_in_the_export_under_the_hotline_id(world):
    hotline_import(data=as_json([order(1), order(2)]), fmt="json", dry_run=False, actor=None)
    p = HotlineOrder.objects.get(hotline_id="12345-2025-000001").petition
    petition_act(petition_id=p.pk, action="not_accept", actor=world.clerk,
                 reason="同一事项已由上级机关受理，不再重复受理。", data={"ground": "other"})  # fmt: skip
    rows = {r["hotline_id"]: r for r in hotline_answers()}
    assert list(rows["12345-2025-000001"]) == list(schema.FIELDS_OUT)
    answered = rows["12345-2025-000001"]
    assert answered["status"] == "closed" and answered["state"] == "not_accepted"
    assert answered["reply"] == "同一事项已由上级机关受理，不再重复受理。"
    assert (
        answered["reply_organ"] == "青山县信访局" and answered["tracking_code"] == p.tracking_code
    )
    assert (
        rows["12345-2025-000002"]["status"] == "open" and rows["12345-2025-000002"]["reply"] == ""
    )
    out = StringIO()
    call_command("hotline_export", "--format", "csv", stdout=out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [r["hotline_id"] for r in parsed] == ["12345-2025-000001", "12345-2025-000002"]
    assert parsed[0]["reply"] == answered["reply"]
    out = StringIO()
    call_command("hotline_export", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["schema"] == schema.SCHEMA_OUT and len(doc["orders"]) == 2


def test_the_import_command_reports_and_exits_1_on_bad_rows(world, tmp_path):
    good = tmp_path / "orders.csv"
    good.write_bytes(as_csv([order(1)]))
    out = StringIO()
    call_command("hotline_import", str(good), "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["to_import"] == 1 and Petition.objects.count() == 0
    call_command("hotline_import", str(good), stdout=StringIO())
    assert Petition.objects.count() == 1
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_json([order(2, region_code="")]))
    report = tmp_path / "report.json"
    with pytest.raises(SystemExit) as e:
        call_command("hotline_import", str(bad), "--report", str(report), stdout=StringIO())
    assert e.value.code == 1 and json.loads(report.read_text())["bad_rows"] == 1


def test_imported_orders_are_found_counted_timed_and_sealed_as_registered_ones(world):
    """What the import keeps of a registration, whichever way the rows were written (ADR 0025):
    search by a word of the text (queued, then indexed) and by the caller's phone (its blind
    index), the deadline, the tally as a recount gives it, the audit chain and seals."""
    from django.db.models import Sum

    from xinfang.analytics.models import PetitionTally
    from xinfang.analytics.services import tally_rebuild
    from xinfang.audit.verify import audit_verify
    from xinfang.deadlines.models import Deadline
    from xinfang.workbench.selectors import petition_search_for_user
    from xinfang.workbench.services import search_index_pending

    rows = [order(1, content="幸福小区路灯坏了三个月无人修理，夜间出行不便。"),
            order(2, caller_phone="13900000002", category="suggestion"),
            order(3, anonymous="true", caller_name="", caller_phone="")]  # fmt: skip
    assert hotline_import(data=as_json(rows), fmt="json", dry_run=False, actor=None).imported == 3
    p1, p2, p3 = (HotlineOrder.objects.get(hotline_id=r["hotline_id"]).petition for r in rows)

    def found(q: str, by: str = "text") -> set[int]:
        return {p.pk for p in petition_search_for_user(user=world.clerk, q=q, by=by).items}

    assert p1.pk in found("路灯") and p2.pk not in found("路灯")  # queued, not yet indexed
    search_index_pending()
    assert p1.pk in found("路灯") and p2.pk not in found("路灯")
    assert found("13900000002", by="phone") == {p2.pk}
    for p in (p1, p2, p3):
        assert Deadline.objects.filter(petition=p).exists() and p.next_due is not None

    def tally() -> dict[tuple, int]:  # type: ignore[type-arg]
        keys = ("current_organ_id", "region_id", "category", "state", "month")
        return {
            tuple(r[k] for k in keys): r["n"]
            for r in PetitionTally.objects.values(*keys).annotate(n=Sum("n")).filter(n__gt=0)
        }

    counted = tally()
    assert sum(counted.values()) == Petition.objects.count() == 3
    tally_rebuild()
    assert tally() == counted
    assert audit_verify().problems == []
