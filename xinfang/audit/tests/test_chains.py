"""The trail is several chains (hash buckets of the object): audited writes about different
petitions do not wait for one another, and tampering shows in every chain as before."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from xinfang.audit.chain import CHAINS, chain_of
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.services import Entry, audit_append, audit_record
from xinfang.audit.verify import audit_verify

T = AuditRecord._meta.db_table


def _ids_in_two_chains() -> tuple[str, str]:
    a = "1"
    b = next(
        str(i)
        for i in range(2, 1000)
        if chain_of("petition", str(i), None) != chain_of("petition", a, None)
    )
    return a, b


@pytest.mark.django_db
def test_the_records_of_one_object_stay_in_one_chain_and_objects_spread_over_chains():
    for i in range(40):
        for step in range(3):
            audit_record(kind="test.step", object_type="petition", object_id=i, data={"s": step})
    chains_of = {}
    for r in AuditRecord.objects.order_by("chain", "seq"):
        chains_of.setdefault(r.object_id, set()).add(r.chain)
    assert all(len(c) == 1 for c in chains_of.values())
    used = {next(iter(c)) for c in chains_of.values()}
    assert len(used) > CHAINS // 2  # 40 objects over 16 chains
    rep = audit_verify()
    assert rep.ok, rep.problems
    assert rep.checked == 120 and set(rep.heads) == used


@pytest.mark.django_db
def test_one_append_over_several_chains_links_each_chain_and_moves_each_head():
    audit_append([Entry("test.many", object_type="petition", object_id=i) for i in range(30)])
    rep = audit_verify()
    assert rep.ok, rep.problems
    for c, (seq, h) in rep.heads.items():
        head = AuditHead.objects.get(chain=c)
        assert (head.seq, head.hash) == (seq, h)


@pytest.mark.django_db
def test_a_record_moved_to_another_chain_is_detected():
    a, b = _ids_in_two_chains()
    for oid in (a, b, a, b):
        audit_record(kind="test.step", object_type="petition", object_id=oid)
    ra = AuditRecord.objects.filter(object_id=a).order_by("seq").last()
    rb = AuditRecord.objects.filter(object_id=b).order_by("seq").last()
    with connection.cursor() as c:  # the tail of chain a appended to chain b, heads fitted
        c.execute(
            f"UPDATE {T} SET chain = %s, seq = %s WHERE id = %s", [rb.chain, rb.seq + 1, ra.pk]
        )
    before_a = AuditRecord.objects.get(chain=ra.chain, seq=ra.seq - 1)
    AuditHead.objects.filter(chain=ra.chain).update(seq=ra.seq - 1, hash=before_a.hash_hex)
    AuditHead.objects.filter(chain=rb.chain).update(seq=rb.seq + 1, hash=ra.hash_hex)
    rep = audit_verify()
    assert not rep.ok
    assert any(f"#{rb.chain}.{rb.seq + 1}" in p for p in rep.problems)


@pytest.mark.django_db
def test_a_whole_chain_removed_with_its_head_reset_is_caught_by_the_kept_heads():
    a, b = _ids_in_two_chains()
    for oid in (a, b, a):
        audit_record(kind="test.step", object_type="petition", object_id=oid)
    kept = audit_verify().heads_text()
    gone = chain_of("petition", a, None)
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {T} WHERE chain = %s", [gone])
    AuditHead.objects.filter(chain=gone).delete()
    assert audit_verify().ok  # consistent in itself, but…
    rep = audit_verify(expect_head=kept)
    assert not rep.ok and any(f"#{gone}." in p for p in rep.problems)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has one writer at a time by design"
)
def test_an_open_audited_write_does_not_hold_up_one_about_another_petition():
    """Before, every audited write locked the one head: the second writer waited here."""
    a, b = _ids_in_two_chains()
    done = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with transaction.atomic():
                audit_record(kind="test.other", object_type="petition", object_id=b)
            done.set()
        except BaseException as e:  # handed to the test
            errors.append(e)
        finally:
            connections.close_all()

    with transaction.atomic():
        audit_record(kind="test.first", object_type="petition", object_id=a)  # head a locked
        t = threading.Thread(target=other)
        t.start()
        t.join(15)
        assert done.is_set() and not errors, errors  # finished while the first is still open
    assert audit_verify().ok
