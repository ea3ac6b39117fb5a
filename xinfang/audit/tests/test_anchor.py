"""Anchors: the signed heads written outside the database by `xinfang tick`, checked by verify.

Planted faults: a tail removed with its head rewritten (consistent in the database, caught only
by the anchor), an anchor rewritten, an anchor forged without the key, an anchor removed from
the middle."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from xinfang.audit.anchor import anchors_read, audit_anchor
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.services import audit_record
from xinfang.audit.verify import audit_verify

pytestmark = pytest.mark.django_db

T = AuditRecord._meta.db_table
NOW = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)


@pytest.fixture
def anchors(tmp_path, settings):
    settings.XINFANG_AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors"


def _steps(n: int, oid: str = "one") -> None:
    for i in range(n):
        audit_record(kind="test.step", object_type="thing", object_id=oid, data={"i": i})


def _lines(folder) -> list[dict]:
    return [json.loads(x) for f in sorted(folder.glob("*.jsonl")) for x in f.read_text().split()]


def test_the_tick_job_anchors_the_heads_once_until_they_move(anchors):
    from xinfang.audit.jobs import audit_anchor as job

    _steps(3)
    assert job(now=NOW) == {"written": 1, "chains": 1}
    assert job(now=NOW + timedelta(minutes=1))["written"] == 0  # nothing moved: idempotent
    _steps(1, "two")
    assert job(now=NOW + timedelta(minutes=2))["written"] == 1
    lines = _lines(anchors)
    assert [x["at"][:16] for x in lines] == ["2026-12-06T22:30", "2026-12-06T22:32"]
    assert lines[1]["prev"] == lines[0]["sig"]
    heads = {c: [s, h] for c, (s, h) in audit_verify().heads.items()}
    assert {int(c): v for c, v in lines[1]["heads"].items()} == heads
    assert (anchors / "anchors-2026-12.jsonl").stat().st_mode & 0o777 == 0o600


def test_verify_checks_against_the_latest_anchor_by_default(anchors):
    _steps(4)
    audit_anchor(now=NOW)
    rep = audit_verify()
    assert rep.ok, rep.problems
    assert any("最新锚点" in n for n in rep.notes)
    _steps(2)  # records after the anchor are fine
    assert audit_verify().ok


def test_a_removed_tail_with_a_rewritten_head_is_caught_by_the_anchor(anchors):
    _steps(5)
    audit_anchor(now=NOW)
    last = AuditRecord.objects.order_by("seq").last()
    prev = AuditRecord.objects.get(chain=last.chain, seq=last.seq - 1)
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {T} WHERE id = %s", [last.pk])
    AuditHead.objects.filter(chain=last.chain).update(seq=prev.seq, hash=prev.hash_hex)
    assert audit_verify(anchors=False).ok  # consistent in the database alone…
    rep = audit_verify()  # …but not with the anchor written outside it
    assert not rep.ok
    assert any("removed" in p and f"#{last.chain}.{last.seq}" in p for p in rep.problems)


def test_a_chain_rewritten_from_an_anchored_record_on_is_caught(anchors):
    _steps(3)
    audit_anchor(now=NOW)
    last = AuditRecord.objects.order_by("seq").last()
    with connection.cursor() as c:  # the anchored record replaced by one with another hash
        c.execute(f"UPDATE {T} SET hash = %s WHERE id = %s", [b"\xee" * 32, last.pk])
    AuditHead.objects.filter(chain=last.chain).update(hash="e" * 64)
    rep = audit_verify()
    assert any("rewritten" in p for p in rep.problems)


def test_a_rewritten_anchor_fails_its_signature(anchors):
    _steps(5)
    audit_anchor(now=NOW)
    # Someone cuts the tail and rewrites the anchor to match, without the key.
    last = AuditRecord.objects.order_by("seq").last()
    prev = AuditRecord.objects.get(chain=last.chain, seq=last.seq - 1)
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {T} WHERE id = %s", [last.pk])
    AuditHead.objects.filter(chain=last.chain).update(seq=prev.seq, hash=prev.hash_hex)
    path = anchors / "anchors-2026-12.jsonl"
    line = json.loads(path.read_text())
    line["heads"] = {str(prev.chain): [prev.seq, prev.hash_hex]}
    path.write_text(json.dumps(line) + "\n")
    rep = audit_verify()
    assert not rep.ok
    assert any("签名不符" in p for p in rep.problems)


def test_a_forged_or_garbled_anchor_and_one_removed_from_the_middle_are_reported(anchors):
    for minute in range(3):
        _steps(1)
        audit_anchor(now=NOW + timedelta(minutes=minute))
    path = anchors / "anchors-2026-12.jsonl"
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and not anchors_read(anchors).problems
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")  # the middle one removed
    assert any("removed or inserted" in p for p in audit_verify().problems)
    path.write_text("\n".join([*lines, "{not json"]) + "\n")
    assert any("无法读取" in p for p in audit_verify().problems)
    forged = json.loads(lines[2]) | {
        "at": "2030-01-01T00:00:00+00:00",
        "prev": json.loads(lines[2])["sig"],
    }
    path.write_text("\n".join([*lines, json.dumps(forged)]) + "\n")
    assert any("签名不符" in p for p in audit_verify().problems)


def test_verify_without_any_anchor_yet_passes_and_says_so(anchors):
    _steps(2)
    rep = audit_verify()
    assert rep.ok and any("尚无锚点" in n for n in rep.notes)


def test_the_commands_write_an_anchor_and_verify_reports_a_rewritten_one(anchors, capsys):
    from django.core.management import CommandError, call_command

    _steps(2)
    call_command("audit_anchor")
    assert "已写入锚点" in capsys.readouterr().out
    call_command("audit_verify")
    assert "审计链完好" in capsys.readouterr().out
    path = next(anchors.glob("*.jsonl"))
    path.write_text(path.read_text().replace('"v":1', '"v":2'))
    with pytest.raises(CommandError):
        call_command("audit_verify")
    call_command("audit_verify", "--no-anchor")  # the chains alone are intact
