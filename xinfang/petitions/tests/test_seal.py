"""Petitions, their events and deadlines are sealed in the audit chain: a direct SQL edit shows.

Issue 13 §2: only edits of audit rows were detected; a database administrator could change a
petition's state, an event's reason or a deadline's due date and `audit verify` said nothing.
Each planted fault here is a direct SQL statement, as such an administrator would write it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from conftest import local
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.seals import seal_records
from xinfang.audit.verify import audit_verify
from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.seal import petition_digests
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

P, E, D, A = (
    Petition._meta.db_table,
    PetitionEvent._meta.db_table,
    Deadline._meta.db_table,
    AuditRecord._meta.db_table,
)


def _sql(query: str, *params) -> None:
    with connection.cursor() as c:
        c.execute(query, params)


@pytest.fixture
def handled(world, register):
    """A petition taken through several steps by the services, and a second one."""
    p = register(at=local(2025, 3, 4)).petition
    on = date(2025, 3, 5)
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=on,
        data={"to_organ_id": world.housing.pk},
    )
    petition_act(petition_id=p.pk, action="acknowledge", actor=world.handler, at=date(2025, 3, 10))
    register(at=local(2025, 3, 4), title="另一件")
    rep = audit_verify()
    assert rep.ok, rep.problems
    return Petition.objects.get(pk=p.pk)


def _delete_events(petition_id: int, where: str = "") -> None:
    """Events go, with the document numbers that name them (else the foreign key stops it)."""
    from django.apps import apps

    numbers = apps.get_model("documents", "DocumentNumber")._meta.db_table
    events = f"SELECT id FROM {E} WHERE petition_id = %s {where}"
    _sql(f"DELETE FROM {numbers} WHERE event_id IN ({events})", petition_id)
    _sql(f"DELETE FROM {E} WHERE petition_id = %s {where}", petition_id)


def _problems_about(p) -> list[str]:  # type: ignore[no-untyped-def]
    rep = audit_verify()
    assert not rep.ok
    return [x for x in rep.problems if f"petition {p.pk}:" in x]


def test_every_write_of_the_services_leaves_a_verifiable_seal(handled):
    seals = seal_records("petition", handled.pk).order_by("seq")
    assert seals.count() == 3  # registration, transfer, acknowledgement
    assert seals.last().digest == petition_digests([handled.pk])[handled.pk]
    assert len({s.chain for s in AuditRecord.objects.filter(object_id=str(handled.pk))}) == 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("state", "closed"),
        ("current_organ_id", "county_po"),
        ("content", "改过的诉求"),
        ("category", "suggestion"),
        ("received_at", "2025-01-01 00:00:00"),
        ("confidential", True),
        ("supervised", True),
        ("major_urgent", True),
        ("leader_in_charge", "某领导"),
        ("objection_rejected", True),
    ],
)
def test_a_direct_sql_update_of_a_petition_is_detected(handled, world, column, value):
    if value == "county_po":
        value = world.county_po.pk
    _sql(f"UPDATE {P} SET {column} = %s WHERE id = %s", value, handled.pk)
    assert any("changed outside" in x for x in _problems_about(handled))


def test_a_petition_put_back_into_an_earlier_state_is_detected(handled):
    """A replay: the row as it was before the last step, every field of it."""
    _sql(f"UPDATE {P} SET state = 'transferred' WHERE id = %s", handled.pk)
    _delete_events(handled.pk, "AND seq = 4")
    assert _problems_about(handled)


@pytest.mark.parametrize(
    ("column", "value"), [("reason", "补写的理由"), ("occurred_at", "2025-03-01 00:00:00")]
)
def test_a_direct_sql_update_of_an_event_is_detected(handled, column, value):
    _sql(f"UPDATE {E} SET {column} = %s WHERE petition_id = %s AND seq = 3", value, handled.pk)
    assert any("changed outside" in x for x in _problems_about(handled))


def test_a_deleted_event_is_detected(handled):
    _delete_events(handled.pk, "AND seq = 3")
    assert _problems_about(handled)


def test_a_moved_or_deleted_deadline_is_detected(handled):
    d = Deadline.objects.filter(petition=handled).first()
    _sql(f"UPDATE {D} SET due_date = %s WHERE id = %s", "2030-01-01", d.pk)
    assert _problems_about(handled)
    _sql(f"DELETE FROM {D} WHERE petition_id = %s", handled.pk)
    assert _problems_about(handled)


def test_a_petition_inserted_behind_the_application_is_detected(handled, world):
    row = Petition.objects.filter(pk=handled.pk).values()[0]
    row.update(id=None, tracking_code="X" * 16)
    forged = Petition.objects.create(**{k: v for k, v in row.items() if k != "id"})
    rep = audit_verify()
    assert any(f"petition {forged.pk}: 不在审计链中" in x for x in rep.problems)


def test_a_deleted_petition_is_detected(handled):
    _sql(f"DELETE FROM {P} WHERE id = %s", handled.pk)  # foreign keys are checked at commit
    assert any("deleted" in x for x in _problems_about(handled))
    Petition.objects.bulk_create([handled])  # back, for the foreign keys at the end of the test


def test_a_deleted_seal_record_breaks_the_chain(handled):
    seal = seal_records("petition", handled.pk).last()
    _sql(f"DELETE FROM {A} WHERE id = %s", seal.pk)
    rep = audit_verify()
    assert any("removed" in x for x in rep.problems)


def test_a_seal_rewritten_to_match_an_edit_fails_the_chain(handled):
    """The administrator edits the petition and writes its new digest into the last seal: he
    cannot compute the digest (keyed), and any change of the record breaks its hash."""
    _sql(f"UPDATE {P} SET state = 'closed' WHERE id = %s", handled.pk)
    seal = seal_records("petition", handled.pk).last()
    forged = f'{{"digest": "{"0" * 64}"}}'
    _sql(f"UPDATE {A} SET data = %s WHERE id = %s", forged, seal.pk)
    rep = audit_verify()
    assert any("edited" in x for x in rep.problems)
    assert any("changed outside" in x for x in rep.problems)


def test_the_audit_head_of_the_petitions_chain_moves_with_each_seal(handled, world):
    rec = AuditRecord.objects.filter(object_id=str(handled.pk)).order_by("seq").last()
    before = AuditHead.objects.get(chain=rec.chain).seq
    petition_act(
        petition_id=handled.pk, action="start_handling", actor=world.handler, at=date(2025, 3, 11)
    )
    assert AuditHead.objects.get(chain=rec.chain).seq == before + 1  # the step with its seal
    assert audit_verify().ok


def test_accused_staff_changed_in_sql_is_detected(world, register):
    p = register(
        at=local(2025, 3, 4),
        category="accusation",
        route=None,
        accused_staff_ids=[world.handler.pk],
    ).petition
    assert audit_verify().ok
    through = Petition.accused_staff.through._meta.db_table
    _sql(f"DELETE FROM {through} WHERE petition_id = %s", p.pk)  # the accused would now see it
    assert _problems_about(p)


def test_petitions_from_before_sealing_are_sealed_once_by_the_adoption_command(handled, capsys):
    from django.core.management import call_command

    from xinfang.audit.chain import chain_genesis

    _sql(f"DELETE FROM {A}")  # a trail as before sealing existed: no seals (here: no records)
    for h in AuditHead.objects.all():
        AuditHead.objects.filter(pk=h.pk).update(seq=0, hash=chain_genesis(h.chain))
    rep = audit_verify()
    assert sum("不在审计链中" in x for x in rep.problems) == 2  # as after an upgrade
    call_command("audit_seal")
    assert "petition: 补记 2 件" in capsys.readouterr().out
    assert audit_verify().ok
    call_command("audit_seal")
    assert "petition: 补记 0 件" in capsys.readouterr().out
    assert AuditRecord.objects.filter(kind="audit.seals_adopt").count() == 2


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "李冒名"), ("address", "别处"), ("role", "agent"), ("phone_digest", "x")],
)
def test_a_direct_sql_update_of_a_party_is_detected(handled, column, value):
    """Issue 13: a petitioner's name or contact swapped by SQL (the answer would go elsewhere).
    ``phone_digest`` is not digested itself, but an edit there goes with an edit of the phone."""
    from xinfang.petitions.models import Party

    table = Party._meta.db_table
    if column == "phone_digest":  # the phone as another key's ciphertext of another number
        from xinfang.core import crypto

        column, value = "phone", crypto.encrypt("13999999999")
    _sql(f"UPDATE {table} SET {column} = %s WHERE petition_id = %s", value, handled.pk)
    assert any("changed outside" in x for x in _problems_about(handled))


def test_a_party_added_or_deleted_in_sql_is_detected(handled):
    from xinfang.petitions.models import Party

    _sql(f"DELETE FROM {Party._meta.db_table} WHERE petition_id = %s", handled.pk)
    assert _problems_about(handled)


def test_an_attachment_row_edited_or_deleted_in_sql_is_detected(world, register):
    from xinfang.petitions.models import Attachment
    from xinfang.petitions.services import AttachmentInput
    from xinfang.petitions.services.attachments import attachment_add

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    p = register(attachments=[AttachmentInput("材料.pdf", pdf)]).petition
    attachment_add(petition=p, actor=world.clerk, name="补充.pdf", content=pdf + b" ")
    rep = audit_verify()
    assert rep.ok, rep.problems  # both the registration and the later addition were sealed
    table = Attachment._meta.db_table
    first = Attachment.objects.filter(petition=p).order_by("pk").first()
    _sql(f"UPDATE {table} SET sha256 = %s WHERE id = %s", "0" * 64, first.pk)
    assert any("changed outside" in x for x in _problems_about(p))
    _sql(f"UPDATE {table} SET sha256 = %s WHERE id = %s", first.sha256, first.pk)
    assert audit_verify().ok
    _sql(f"DELETE FROM {table} WHERE id = %s", first.pk)
    assert _problems_about(p)


def test_anonymising_parties_and_rotating_field_keys_keep_the_seal(handled, settings):
    """The services that rewrite parties: anonymisation seals again; a key rotation changes
    only ciphertext (the seal digests values). Planted fault: drop the petition_seal call from
    ``party_anonymise_expired`` and this fails."""
    from django.core.management import call_command

    from xinfang.core import crypto
    from xinfang.petitions.privacy import party_anonymise_expired
    from xinfang.petitions.seal import petition_seal

    settings.XINFANG_FIELD_KEYS = [crypto.new_field_key(), *settings.XINFANG_FIELD_KEYS]
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
    rep = audit_verify()
    assert rep.ok, rep.problems
    # closed long ago (as the services would leave it, sealed)
    Petition.objects.filter(pk=handled.pk).update(is_open=False, last_event_at=local(2015, 1, 1))
    petition_seal(petition_ids=[handled.pk])
    assert party_anonymise_expired(now=local(2025, 9, 1)) == 1
    rep = audit_verify()
    assert rep.ok, rep.problems


def test_after_an_upgrade_that_seals_more_the_earlier_seals_are_renewed_not_reported(
    handled, monkeypatch, capsys
):
    """A version whose digest covers more (a new field, say) cannot recompute the seals made
    before it: verify counts them in a note instead of reporting every petition as changed, and
    `xinfang audit seal` renews them; from then on an SQL edit shows again."""
    import dataclasses

    from django.core.management import call_command

    from xinfang.audit import seals

    upgraded = dataclasses.replace(seals._sealers["petition"], version=99)
    monkeypatch.setitem(seals._sealers, "petition", upgraded)
    rep = audit_verify()
    assert rep.ok, rep.problems
    assert any("petition: 2 件的摘要为升级前的算法所记" in n for n in rep.notes), rep.notes
    call_command("audit_seal")
    assert "petition: 补记 2 件" in capsys.readouterr().out
    rep = audit_verify()
    assert rep.ok and not any("升级前" in n for n in rep.notes), rep.notes
    last = seal_records("petition", handled.pk)
    assert last.order_by("-chain", "-seq").first().data["v"] == 99
    _sql(f"UPDATE {P} SET title = %s WHERE id = %s", "改过的", handled.pk)
    assert _problems_about(handled)
