"""The audit trail: what is recorded, and that `xinfang audit verify` catches any tampering."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from conftest import local
from xinfang.audit.models import AppendOnlyError, AuditHead, AuditRecord
from xinfang.audit.services import audit_record
from xinfang.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db):
    for i in range(6):
        audit_record(
            kind="test.step",
            object_type="thing",
            object_id="one",  # one object: one chain
            data={"i": i, "t": "甲"},
            ip=f"10.0.0.{i}",
        )
    assert audit_verify().ok
    records = list(AuditRecord.objects.order_by("seq"))
    assert len({r.chain for r in records}) == 1
    return records


def _sql(query: str, *params) -> None:
    with connection.cursor() as c:
        c.execute(query, params)


T = AuditRecord._meta.db_table


def test_a_fresh_chain_verifies_and_each_hash_covers_the_previous_hash(chain):
    from xinfang.audit.chain import chain_genesis, record_hash

    prev = chain_genesis(chain[0].chain)
    for rec in chain:
        assert isinstance(rec.hash, bytes) and len(rec.hash) == 32  # raw, not hex (ADR 0024)
        assert record_hash(rec, prev) == rec.hash
        assert record_hash(rec, "0" * 64) != rec.hash  # after any other record it fails
        prev = rec.hash_hex
    for a, b in zip(chain, chain[1:], strict=False):
        assert b.seq == a.seq + 1
    stored = AuditRecord.objects.get(pk=chain[-1].pk)  # as read back from the database
    assert bytes(stored.hash) == chain[-1].hash
    head = AuditHead.objects.get(chain=chain[-1].chain)
    assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash_hex)


def test_records_cannot_be_changed_or_deleted_through_the_orm(chain):
    rec = chain[0]
    rec.kind = "forged"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("kind", "forged"),
        ("actor_name", "someone"),
        ("ip", "1.2.3.4"),
        ("object_id", "99"),
        ("data", '{"i": 0, "t": "乙"}'),
        ("at", "2001-01-01 00:00:00"),
        ("hash", b"\xff" * 32),
    ],
)
def test_editing_any_field_of_any_record_is_detected(chain, index, column, value):
    _sql(f"UPDATE {T} SET {column} = %s WHERE seq = %s", value, chain[index].seq)
    rep = audit_verify()
    assert not rep.ok
    c, n = chain[index].chain, chain[index].seq
    assert any(f"#{c}.{n}" in p or f"#{c}.{n + 1}" in p for p in rep.problems)


def _stored_hash(pk: int) -> bytes:
    with connection.cursor() as c:
        c.execute(f"SELECT hash FROM {T} WHERE id = %s", [pk])
        return bytes(c.fetchone()[0])


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda h: bytes([h[0] ^ 1]) + h[1:], id="first-bit-flipped"),
        pytest.param(lambda h: h[:17] + bytes([h[17] ^ 0x80]) + h[18:], id="a-middle-byte"),
        pytest.param(lambda h: h[:31], id="truncated-by-a-byte"),
        pytest.param(lambda h: h[:16], id="truncated-to-half"),
        pytest.param(lambda h: h + b"\0", id="a-byte-added"),
        pytest.param(lambda h: b"", id="emptied"),
        pytest.param(lambda h: h.hex().encode(), id="as-hex-text"),
    ],
)
def test_a_spoiled_raw_hash_is_detected(chain, index, spoil):
    """The hash is 32 raw bytes (ADR 0024): a flipped bit, a shortened, lengthened or emptied
    value, or the hex text the column held before, all fail against the HMAC."""
    rec = chain[index]
    assert _stored_hash(rec.pk) == rec.hash
    _sql(f"UPDATE {T} SET hash = %s WHERE id = %s", spoil(rec.hash), rec.pk)
    rep = audit_verify()
    assert not rep.ok
    assert any(f"#{rec.chain}.{rec.seq}:" in p and "edited" in p for p in rep.problems), rep
    if index < 5:  # the chain went on from the spoiled hash: the next record no longer links
        nxt = chain[index + 1]
        assert any(f"#{nxt.chain}.{nxt.seq}:" in p for p in rep.problems), rep


@pytest.mark.parametrize("index", range(6))
def test_a_hash_written_as_text_on_sqlite_is_named_not_a_crash(chain, index):
    """SQLite keeps whatever type is written: the hex text of the right hash, put into the
    BLOB column with raw SQL (a tamperer, a restore from before ADR 0024, a downgrade), is
    reported at that record, and verify goes on to the end (revA 2)."""
    if connection.vendor != "sqlite":
        pytest.skip("bytea refuses text on PostgreSQL")
    rec = chain[index]
    _sql(f"UPDATE {T} SET hash = %s WHERE id = %s", rec.hash_hex, rec.pk)
    with connection.cursor() as c:
        c.execute(f"SELECT typeof(hash) FROM {T} WHERE id = %s", [rec.pk])
        assert c.fetchone()[0] == "text"
    rep = audit_verify()
    assert not rep.ok
    assert any(f"#{rec.chain}.{rec.seq}:" in p and "malformed" in p for p in rep.problems), rep
    assert rep.checked == len(chain)
    # the text is the right hash: the walk goes on from it, the record is named once
    assert len(rep.problems) == 1, rep


@pytest.mark.parametrize("index", range(5))
def test_a_record_removed_and_the_rest_renumbered_into_its_place_is_detected(chain, index):
    """No stored previous hash to fit: the records after it still carry the hash of the one
    removed inside their HMACs, and their numbers too."""
    gone = chain[index]
    _sql(f"DELETE FROM {T} WHERE id = %s", gone.pk)
    for rec in chain[index + 1 :]:
        _sql(f"UPDATE {T} SET seq = %s WHERE id = %s", rec.seq - 1, rec.pk)
    AuditHead.objects.filter(chain=gone.chain).update(
        seq=chain[-1].seq - 1, hash=chain[-1].hash_hex
    )
    rep = audit_verify()
    assert not rep.ok
    assert any(f"#{gone.chain}.{gone.seq}:" in p for p in rep.problems), rep


@pytest.mark.parametrize(("src", "dst"), [(0, 3), (4, 1), (2, 5)])
def test_a_record_overwritten_with_another_records_fields_and_hash_is_detected(chain, src, dst):
    """A valid record (fields and hash) replayed in another place of the chain: its HMAC
    covers its own number and predecessor, so it does not fit anywhere else."""
    a, b = chain[src], chain[dst]
    _sql(
        f"UPDATE {T} SET kind = %s, ip = %s, object_id = %s, data = %s, at = %s, hash = %s "
        "WHERE id = %s",
        a.kind,
        a.ip,
        a.object_id,
        json.dumps(a.data, ensure_ascii=False),
        a.at,
        a.hash,
        b.pk,
    )
    rep = audit_verify()
    assert not rep.ok
    assert any(f"#{b.chain}.{b.seq}:" in p for p in rep.problems), rep


@pytest.mark.parametrize("index", range(6))
def test_deleting_any_record_is_detected(chain, index):
    _sql(f"DELETE FROM {T} WHERE seq = %s", chain[index].seq)
    rep = audit_verify()
    assert not rep.ok, rep
    assert any("removed" in p for p in rep.problems)


@pytest.mark.parametrize(("a", "b"), [(0, 1), (2, 4), (4, 5), (0, 5)])
def test_reordering_records_is_detected(chain, a, b):
    sa, sb = chain[a].seq, chain[b].seq
    _sql(f"UPDATE {T} SET seq = %s WHERE seq = %s", 10**9, sa)
    _sql(f"UPDATE {T} SET seq = %s WHERE seq = %s", sa, sb)
    _sql(f"UPDATE {T} SET seq = %s WHERE seq = %s", sb, 10**9)
    rep = audit_verify()
    assert not rep.ok
    assert any("reordered" in p or "edited" in p for p in rep.problems)


def test_removing_the_tail_and_rewriting_the_head_is_caught_by_the_kept_head(chain):
    kept = f"{chain[-1].chain}.{chain[-1].seq}:{chain[-1].hash_hex}"
    _sql(f"DELETE FROM {T} WHERE seq = %s", chain[-1].seq)
    assert not audit_verify().ok  # the head still names the removed record
    AuditHead.objects.filter(chain=chain[-1].chain).update(
        seq=chain[-2].seq, hash=chain[-2].hash_hex
    )
    assert audit_verify().ok  # consistent again, but…
    assert not audit_verify(expect_head=kept).ok  # …the head kept elsewhere shows the loss


def test_a_forged_record_appended_without_the_key_is_detected(chain):
    last = chain[-1]
    AuditRecord.objects.bulk_create(
        [
            AuditRecord(
                chain=last.chain,
                seq=last.seq + 1,
                at=last.at,
                kind="forged",
                hash=b"\xaa" * 32,
            )
        ]
    )
    AuditHead.objects.filter(chain=last.chain).update(seq=last.seq + 1, hash="a" * 64)
    rep = audit_verify()
    assert not rep.ok and any("edited" in p for p in rep.problems)


def test_the_command_reports_tampering_with_a_failing_exit(chain, capsys):
    from django.core.management import CommandError, call_command

    call_command("audit_verify")
    assert "审计链完好" in capsys.readouterr().out
    _sql(f"UPDATE {T} SET kind = 'x' WHERE seq = %s", chain[2].seq)
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert f"#{chain[2].chain}.{chain[2].seq}" in capsys.readouterr().err


def test_xinfang_audit_verify_runs_the_command(monkeypatch):
    from xinfang import cli

    seen = []
    monkeypatch.setattr(cli, "cmd_manage", lambda args: seen.append(args.rest) or 0)
    assert cli.main(["audit", "verify", "--expect-head", "3:abc"]) == 0
    assert seen == [["audit_verify", "--expect-head", "3:abc"]]


def test_registration_and_every_step_are_recorded_with_actor_and_address(client, world, register):
    from xinfang.api.services import token_issue

    token = token_issue(user=world.clerk)
    r = client.post(
        "/api/v1/petitions",
        {
            "channel": "letter",
            "title": "噪声扰民",
            "content": "夜间施工",
            "region_code": "990102",
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "张三", "phone": "13800001234"}],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR="203.0.113.7",
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/petitions/{pid}/actions/transfer",
        {"data": {"to_organ_id": world.housing.pk}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR="203.0.113.7",
    )
    assert r.status_code == 200
    recs = list(AuditRecord.objects.filter(object_type="petition", object_id=str(pid)))
    kinds = [x.kind for x in recs if x.kind.startswith("petition.")]
    assert kinds == ["petition.receive", "petition.register", "petition.transfer"]
    transfer = (
        recs[-1]
        if recs[-1].kind == "petition.transfer"
        else [x for x in recs if x.kind == "petition.transfer"][0]
    )
    assert transfer.actor_name == "clerk" and transfer.ip == "203.0.113.7"
    assert transfer.data["to_organ_id"] == world.housing.pk
    assert "13800001234" not in str([x.data for x in AuditRecord.objects.all()])
    assert audit_verify().ok


def test_a_refused_step_leaves_no_record(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import petition_act

    p = register(received_at=local(2025, 3, 3)).petition
    before = AuditRecord.objects.count()
    with pytest.raises(ApplicationError):
        petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={})
    assert AuditRecord.objects.count() == before


def test_logins_with_address_failed_logins_and_logouts_are_recorded(client, world):
    client.post("/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="198.51.100.1")
    client.post(
        "/login/", {"username": "clerk", "password": "test-pass-123"}, REMOTE_ADDR="198.51.100.2"
    )
    client.post("/logout/", REMOTE_ADDR="198.51.100.2")
    recs = {(x.kind, x.ip) for x in AuditRecord.objects.all()}
    assert ("login.failed", "198.51.100.1") in recs
    assert ("login", "198.51.100.2") in recs and ("logout", "198.51.100.2") in recs
    assert "wrong" not in str([x.data for x in AuditRecord.objects.all()])


def test_admin_actions_are_recorded(client, world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    admin = staff_create(username="root", password="Admin-pass-123", organ=None, roles=[Role.ADMIN])
    client.force_login(admin)
    r = client.post(
        f"/admin/directory/organ/{world.court.pk}/change/",
        {
            "name": "青山县人民法院（改）",
            "kind": world.court.kind,
            "level": world.court.level,
            "region": world.court.region_id,
            "parent": world.court.parent_id,
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content[:500]
    rec = AuditRecord.objects.filter(kind="admin.change").get()
    assert rec.actor_name == "root" and rec.object_type == "directory.organ"
    assert rec.object_id == str(world.court.pk)
    r = client.get("/admin/audit/auditrecord/")
    assert r.status_code == 200 and "admin.change" in r.content.decode()


def test_api_tokens_issued_are_recorded(world):
    from xinfang.api.services import token_issue

    token_issue(user=world.clerk, name="scanner")
    assert AuditRecord.objects.filter(kind="token.issue", actor_id=world.clerk.pk).exists()
