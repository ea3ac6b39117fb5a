"""History import: hand-made files with good and bad rows, a bad row skipped alone, no doubles,
and the imported petitions in the rates with their original dates."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from xinfang.imports.models import ImportedRow
from xinfang.imports.services import import_rows, import_source_get, mapping_for
from xinfang.imports.tabular import read_table
from xinfang.petitions.models import Petition

HEADER = ["行号", "登记机关", "收到日期", "信访形式", "标题", "内容", "区划代码", "类别", "处理途径",
          "状态", "信访人", "证件号码", "联系电话", "被检举控告单位", "转送日期", "转送机关",
          "受理日期", "答复日期", "处理结果", "答复内容", "送达日期", "归档日期", "评价", "评价日期"]  # fmt: skip
TODAY = date(2026, 6, 1)


def row(**kw: str) -> dict[str, str]:
    base = {
        "行号": "A-1", "登记机关": "青山县信访局", "收到日期": "2024-03-04", "信访形式": "来信",
        "标题": "小区停车位被占", "内容": "物业长期占用公共车位，要求处理", "区划代码": "990102",
        "类别": "申诉求决类", "处理途径": "6", "信访人": "张三", "转送日期": "2024-03-06",
        "转送机关": "青山县住房和城乡建设局", "受理日期": "2024-03-10", "答复日期": "2024-04-20",
        "处理结果": "支持", "答复内容": "责成物业限期清理", "送达日期": "2024-04-22",
        "归档日期": "2024-06-10", "评价": "满意", "评价日期": "2024-04-25",
    }  # fmt: skip
    base.update(kw)
    return base


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=HEADER)
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in HEADER})
    return out.getvalue().encode("utf-8-sig")


def run(rows, *, dry_run=False, source="县信访局旧系统", actor=None):
    table = read_table(csv_bytes(rows), name="x.csv")
    src = import_source_get(name=source)
    return import_rows(source=src, table=table, mapping=mapping_for(src, table.header),
                       actor=actor, dry_run=dry_run, today=TODAY)  # fmt: skip


def test_a_good_row_is_registered_with_its_original_dates_and_steps(world):
    out = run([row()])
    assert out.committed, out.report.as_dict()
    p = Petition.objects.get()
    assert p.state == "closed"
    assert p.received_at.date() == date(2024, 3, 4)
    steps = [(e.action, e.occurred_at.date().isoformat()) for e in p.events.order_by("seq")]
    assert steps == [
        ("receive", "2024-03-04"), ("register", "2024-03-04"), ("transfer", "2024-03-06"),
        ("acknowledge", "2024-03-10"), ("start_handling", "2024-04-20"),
        ("issue_opinion", "2024-04-20"), ("record_delivery", "2024-04-22"),
        ("expire_window", "2024-06-10"), ("close", "2024-06-10"),
    ]  # fmt: skip
    assert p.current_organ.name == "青山县住房和城乡建设局"
    assert p.parties.get().name == "张三"
    from xinfang.feedback.models import Evaluation

    ev = Evaluation.objects.get(petition=p)
    assert (ev.rating, ev.created_at.date()) == ("satisfied", date(2024, 4, 25))


def test_a_dry_run_reports_every_bad_row_with_its_reason_and_writes_nothing(world):
    rows = [
        row(),
        row(**{"行号": "A-2", "登记机关": "不存在的局"}),
        row(**{"行号": "A-3", "受理日期": "2024-03-01"}),  # before the transfer
        row(**{"行号": "A-4", "标题": ""}),
        row(**{"行号": "A-5", "内容": "含有\x00字符"}),
        row(**{"行号": "A-1"}),  # the id of row 2 again
        row(**{"行号": "A-7", "转送机关": "", "转送日期": ""}),  # accepted at a petition office
        row(**{"行号": "A-8", "处理途径": "²"}),  # a digit to isdigit(), not to int(): review
    ]
    out = run(rows, dry_run=True)
    assert not out.committed
    bad = {p.row: " ".join(p.reasons) for p in out.report.problems}
    assert set(bad) == {3, 4, 5, 6, 7, 8, 9}, bad
    assert "处理途径“²”无效" in bad[9]
    assert "没有这个机关" in bad[3]
    assert "早于转送日期" in bad[4]
    assert "缺少必填项“标题”" in bad[5]
    assert "控制字符" in bad[6]
    assert "与第 2 行重复" in bad[7]
    assert "受理" in bad[8]  # the law's table: acceptance is the competent organ's (Art. 23)
    assert Petition.objects.count() == 0
    assert ImportedRow.objects.count() == 0


def test_a_bad_row_is_reported_and_only_it_is_skipped(world):
    out = run([row(), row(**{"行号": "A-2"}), row(**{"行号": "A-3", "受理日期": "2024-03-01"})])
    assert out.committed and out.imported == 2
    assert [p.row for p in out.report.problems] == [4]
    assert Petition.objects.count() == 2
    assert set(ImportedRow.objects.values_list("ref", flat=True)) == {"A-1", "A-2"}


def test_a_row_the_law_refuses_is_skipped_and_the_batch_written_without_it(world):
    # closed before the 30 days for a review request lapsed (Art. 35): refused by the step
    # core of petition_act after the row's registration was in the batch's INSERTs
    out = run([row(), row(**{"行号": "A-2", "归档日期": "2024-04-30"}), row(**{"行号": "A-3"})])
    assert [p.row for p in out.report.problems] == [3]
    text = " ".join(out.report.problems[0].reasons)
    assert "期满未申请" in text and "申请期限至 2024-05-22 才届满" in text, text
    assert sorted(ImportedRow.objects.values_list("ref", flat=True)) == ["A-1", "A-3"]
    assert Petition.objects.count() == 2  # nothing of A-2, not even its registration
    from xinfang.feedback.models import Evaluation

    assert Evaluation.objects.count() == 2


def test_a_stated_state_the_dates_do_not_lead_to_refuses_only_that_row(world):
    out = run([row(), row(**{"行号": "A-2", "状态": "已受理"})])
    assert [p.row for p in out.report.problems] == [3]
    assert "不一致" in " ".join(out.report.problems[0].reasons)
    assert Petition.objects.count() == 1


def test_importing_the_same_file_twice_adds_nothing(world):
    assert run([row(), row(**{"行号": "A-2"})]).committed
    again = run([row(), row(**{"行号": "A-2"})])
    assert again.committed and again.imported == 0
    assert len(again.report.skipped) == 2
    assert Petition.objects.count() == 2


def test_a_refused_field_is_named_by_its_column_not_a_code_path(world):
    """A reason reads "证件号码：…", never "parties[0].id_number: …" (walker item 16)."""
    out = run([row(**{"证件号码": "110105194912310021"})], dry_run=True)
    text = " ".join(out.report.problems[0].reasons)
    assert "parties[" not in text and "id_number" not in text, text
    assert text.startswith("证件号码："), text


def test_the_identity_number_is_stored_encrypted(world):
    assert run([row(**{"证件号码": "11010519491231002X", "联系电话": "13800138000"})]).committed
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT id_number, phone FROM petitions_party")
        raw = c.fetchone()
    assert "11010519491231002X" not in str(raw) and "13800138000" not in str(raw)


def test_the_command_checks_then_imports_and_says_what_it_did(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    f = tmp_path / "old.csv"
    f.write_bytes(csv_bytes([row(), row(**{"行号": "A-2", "登记机关": "无此机关"})]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_petitions", str(f), "--source", "旧系统", "--dry-run", stdout=out)
    assert "第 3 行（A-2）：登记机关“无此机关”：没有这个机关" in out.getvalue()
    f.write_bytes(csv_bytes([row(), row(**{"行号": "A-2"})]))
    out = io.StringIO()
    call_command("import_petitions", str(f), "--source", "旧系统", stdout=out)
    assert "已导入：共 2 行，可导入 2" in out.getvalue()
    assert Petition.objects.count() == 2


def test_a_mapping_given_once_is_kept_for_the_source(world, tmp_path):
    from django.core.management import call_command

    data = csv_bytes([row()]).decode("utf-8-sig").replace("登记机关", "收文单位X", 1)
    f = tmp_path / "renamed.csv"
    f.write_text(data, encoding="utf-8")
    call_command("import_petitions", str(f), "--source", "乙县", "--dry-run",
                 "--mapping", "organ=收文单位X", stdout=io.StringIO())  # fmt: skip
    from xinfang.imports.models import ImportSource

    assert ImportSource.objects.get(name="乙县").mapping["organ"] == "收文单位X"
    call_command("import_petitions", str(f), "--source", "乙县", stdout=io.StringIO())
    assert Petition.objects.count() == 1


def test_xinfang_audit_verify_passes_after_an_import_and_fails_after_an_edit(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    f = tmp_path / "old.csv"
    f.write_bytes(csv_bytes([row(), row(**{"行号": "A-2"}), row(**{"行号": "A-3"})]))
    call_command("import_petitions", str(f), "--source", "旧系统", stdout=io.StringIO())
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链完好" in out.getvalue()
    pk = Petition.objects.order_by("pk").last().pk
    with connection.cursor() as c:  # a closed petition quietly reopened by SQL
        c.execute("UPDATE petitions_petition SET state = 'accepted' WHERE id = %s", [pk])
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=io.StringIO(), stderr=io.StringIO())
