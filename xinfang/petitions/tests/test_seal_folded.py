"""The seal in the record of the step it ends (ADR 0026): one audit record a step, not two.

A step's record carries the digest of the petition as the step left it (32 bytes in its
``seal`` column, the scheme in ``data["v"]``); a change with no record of its own (a deadline fold, an attachment added)
still writes a ``petition.seal`` record; a trail written before ADR 0026 (a seal record after
every step) verifies as it was written. The planted faults: a step record edited, its digest
replayed from an earlier step, a record deleted (the last, or one in the middle), two records
swapped, a sealed petition field edited: verify reports each.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from conftest import local
from xinfang.audit import seals
from xinfang.audit.models import AuditRecord
from xinfang.audit.seals import seal_fold, seal_of, seal_records
from xinfang.audit.services import Entry, audit_record
from xinfang.audit.verify import audit_verify
from xinfang.petitions.models import Petition
from xinfang.petitions.seal import petition_digests
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

P, A = Petition._meta.db_table, AuditRecord._meta.db_table


def _sql(query: str, *params) -> None:
    with connection.cursor() as c:
        c.execute(query, params)


def _records(pk: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(object_type="petition", object_id=str(pk)))


@pytest.fixture
def handled(world, register):
    p = register(at=local(2025, 3, 4)).petition
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=date(2025, 3, 5),
        data={"to_organ_id": world.housing.pk},
    )
    petition_act(petition_id=p.pk, action="acknowledge", actor=world.handler, at=date(2025, 3, 10))
    register(at=local(2025, 3, 4), title="另一件")
    rep = audit_verify()
    assert rep.ok, rep.problems
    return Petition.objects.get(pk=p.pk)


def test_each_step_record_carries_the_seal_of_what_it_wrote(handled):
    recs = _records(handled.pk)
    assert [r.kind for r in recs] == [
        "petition.receive",
        "petition.register",
        "petition.transfer",
        "petition.acknowledge",
    ]
    sealed = [r.kind for r in recs if seal_of("petition", r.kind, r.data, r.seal) is not None]
    assert sealed == ["petition.register", "petition.transfer", "petition.acknowledge"]
    assert recs[-1].digest == petition_digests([handled.pk])[handled.pk]
    assert recs[-1].data["v"] == seals._sealers["petition"].version
    assert recs[-1].data["to"] == "acknowledged"  # the step's own facts are all still there
    # the digest as 32 raw bytes in its column, not as 64 hex characters in the JSON
    assert len(bytes(recs[-1].seal)) == 32 and "digest" not in recs[-1].data
    assert all(r.seal is None for r in recs if r.kind == "petition.receive")


def test_a_change_without_a_step_writes_a_seal_record_and_the_next_step_supersedes_it(
    handled, world
):
    from xinfang.petitions.services.attachments import attachment_add

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment_add(petition=handled, actor=world.handler, name="补充.pdf", content=pdf)
    assert _records(handled.pk)[-1].kind == "petition.seal"
    assert audit_verify().ok
    petition_act(
        petition_id=handled.pk, action="start_handling", actor=world.handler, at=date(2025, 3, 11)
    )
    last = _records(handled.pk)[-1]
    assert last.kind == "petition.start_handling" and last.digest is not None
    assert audit_verify().ok
    _sql(f"UPDATE {P} SET title = %s WHERE id = %s", "改过的", handled.pk)
    assert any(f"petition {handled.pk}:" in x and "changed" in x for x in audit_verify().problems)


def _edit_step(recs: list[AuditRecord]) -> str:
    """The transfer's destination rewritten in its record (hash kept)."""
    r = next(x for x in recs if x.kind == "petition.transfer")
    _sql(f"UPDATE {A} SET data = %s WHERE id = %s", _json({**r.data, "to": "closed"}), r.pk)
    return "edited"


def _replay_digest(recs: list[AuditRecord]) -> str:
    """The last step's digest replaced by the earlier step's (the petition put back)."""
    sealed = [x for x in recs if x.digest is not None]
    _sql(f"UPDATE {A} SET seal = %s WHERE id = %s", bytes(sealed[-2].seal), sealed[-1].pk)
    return "edited"


def _delete_last(recs: list[AuditRecord]) -> str:
    _sql(f"DELETE FROM {A} WHERE id = %s", recs[-1].pk)
    return "removed"


def _delete_middle(recs: list[AuditRecord]) -> str:
    _sql(f"DELETE FROM {A} WHERE id = %s", recs[2].pk)  # the transfer, with its seal
    return "removed"


def _swap(recs: list[AuditRecord]) -> str:
    """The transfer and the acknowledgement swap their places in the chain."""
    a, b = recs[2], recs[3]
    _sql(f"UPDATE {A} SET seq = %s WHERE id = %s", 10**9, a.pk)  # out of the way
    _sql(f"UPDATE {A} SET seq = %s WHERE id = %s", a.seq, b.pk)
    _sql(f"UPDATE {A} SET seq = %s WHERE id = %s", b.seq, a.pk)
    return "reordered"


def _flip_seal(recs: list[AuditRecord]) -> str:
    """One bit of the last digest flipped in its column."""
    raw = bytearray(recs[-1].seal)
    raw[0] ^= 1
    _sql(f"UPDATE {A} SET seal = %s WHERE id = %s", bytes(raw), recs[-1].pk)
    return "edited"


def _digest_twice(recs: list[AuditRecord]) -> str:
    """A second digest written into the JSON beside the column (which one would count?)."""
    r = recs[-1]
    _sql(f"UPDATE {A} SET data = %s WHERE id = %s", _json({**r.data, "digest": "0" * 64}), r.pk)
    return "edited"


def _seal_moved(recs: list[AuditRecord]) -> str:
    """The last digest taken from the step and put on the record before it."""
    _sql(f"UPDATE {A} SET seal = NULL WHERE id = %s", recs[-1].pk)
    _sql(f"UPDATE {A} SET seal = %s WHERE id = %s", bytes(recs[-1].seal), recs[-2].pk)
    return "edited"


def _edit_petition(recs: list[AuditRecord]) -> str:
    _sql(f"UPDATE {P} SET state = 'closed' WHERE id = %s", int(recs[0].object_id))
    return "changed outside"


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    "fault",
    [
        _edit_step,
        _replay_digest,
        _flip_seal,
        _digest_twice,
        _seal_moved,
        _delete_last,
        _delete_middle,
        _swap,
        _edit_petition,
    ],  # fmt: skip
    ids=lambda f: f.__name__,
)
def test_a_planted_fault_in_a_trail_of_folded_seals_is_reported(handled, fault):
    want = fault(_records(handled.pk))
    rep = audit_verify()
    assert not rep.ok
    assert any(want in x for x in rep.problems), rep.problems


def test_a_trail_of_seal_records_from_before_verifies_and_still_catches_an_edit(
    handled, world, monkeypatch, register
):
    """Records written before ADR 0026 (a ``petition.seal`` after every step) and after it, in
    one chain: verify reads the last seal of either form."""
    monkeypatch.setattr(seals, "seal_fold", _fold_nothing)
    old = register(at=local(2025, 3, 6), title="升级前登记").petition
    petition_act(
        petition_id=old.pk, action="transfer", actor=world.clerk, at=date(2025, 3, 7),
        data={"to_organ_id": world.housing.pk},
    )  # fmt: skip
    kinds = [r.kind for r in _records(old.pk)]
    assert kinds == [
        "petition.receive", "petition.register", "petition.seal",
        "petition.transfer", "petition.seal",
    ]  # fmt: skip
    assert audit_verify().ok
    _sql(f"UPDATE {P} SET title = %s WHERE id = %s", "改过的", old.pk)
    assert any(f"petition {old.pk}:" in x for x in audit_verify().problems)
    _sql(f"UPDATE {P} SET title = %s WHERE id = %s", "升级前登记", old.pk)
    monkeypatch.undo()
    petition_act(
        petition_id=old.pk, action="acknowledge", actor=world.handler, at=date(2025, 3, 10)
    )
    assert _records(old.pk)[-1].kind == "petition.acknowledge"
    assert audit_verify().ok
    _sql(f"UPDATE {P} SET state = 'transferred' WHERE id = %s", old.pk)  # put back a step
    assert any(f"petition {old.pk}:" in x for x in audit_verify().problems)


def _fold_nothing(entries, object_type, digests, version, actor=None):
    """Sealing as before ADR 0026: a seal record of its own after the step's records."""
    return [
        *entries,
        *(
            Entry(f"{object_type}.seal", actor, object_type, pk, {"digest": d, "v": version},
                  seal=True)
            for pk, d in sorted(digests.items())
        ),
    ]  # fmt: skip


def test_only_the_sealing_may_write_a_digest_into_a_record(handled, world):
    """Verify reads a digest in a record about a petition as its seal: no other caller can put
    one there (a programming error, refused before anything is written)."""
    with pytest.raises(ValueError):
        audit_record(
            kind="petition.note",
            actor=world.clerk,
            object_type="petition",
            object_id=handled.pk,
            data={"digest": "0" * 64},
        )
    assert audit_verify().ok
    # and a record of another kind about the petition is no seal, whatever it holds
    assert seal_of("petition", "draft.save", {"digest": "0" * 64}) is None
    assert seal_of("petition", "petition.transfer", {"to": "x"}) is None
    assert seal_of("petition", "petition.seal", {}) == ""  # a seal record always is one


def test_the_fold_takes_the_last_record_of_each_petition_and_keeps_the_others_alone():
    entries = [
        Entry("petition.receive", None, "petition", 1, {"seq": 1}),
        Entry("petition.register", None, "petition", 1, {"seq": 2}),
        Entry("petition.imported", None, "petition", 2, {"v": "file"}),  # uses a seal key
        Entry("batch.done", None, "batch", 1, {}),
    ]
    out = seal_fold(entries, "petition", {1: "a" * 64, 2: "b" * 64, 3: "c" * 64}, 2)
    assert [(e.kind, e.object_id, e.seal) for e in out] == [
        ("petition.receive", 1, False),
        ("petition.register", 1, True),
        ("petition.imported", 2, False),
        ("batch.done", 1, False),
        ("petition.seal", 2, True),
        ("petition.seal", 3, True),
    ]
    assert out[1].data == {"seq": 2, "digest": "a" * 64, "v": 2}
    assert out[4].data == {"digest": "b" * 64, "v": 2}


def test_seal_records_finds_both_forms(handled, world):
    from xinfang.petitions.services.attachments import attachment_add

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment_add(petition=handled, actor=world.handler, name="补充.pdf", content=pdf)
    kinds = list(
        seal_records("petition", handled.pk).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == [
        "petition.register", "petition.transfer", "petition.acknowledge", "petition.seal",
    ]  # fmt: skip
