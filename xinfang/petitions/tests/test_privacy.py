"""Personal data: encrypted at rest, found by blind index, masked, exported, anonymised."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from conftest import local
from xinfang.core import crypto
from xinfang.core.masking import MaskingFilter, mask_id_number, mask_phone, mask_text
from xinfang.petitions.models import Party
from xinfang.petitions.services import PartyInput

ID = "11010119900307803X"
PHONE = "13912345678"


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as c:
        c.execute(f"SELECT id_number, phone FROM {Party._meta.db_table} WHERE id = %s", [pk])
        return c.fetchone()


@pytest.fixture
def party(register):
    p = register(parties=[PartyInput(role="petitioner", name="张三", phone=PHONE, id_number=ID)])
    return p.petition.parties.get()


def test_identity_numbers_and_phones_are_stored_encrypted_and_read_back_in_clear(party):
    raw_id, raw_phone = _raw(party.pk)
    assert ID not in raw_id and PHONE not in raw_phone
    assert raw_id.startswith("gAAAAA") and raw_phone.startswith("gAAAAA")
    again = Party.objects.get(pk=party.pk)
    assert (again.id_number, again.phone) == (ID, PHONE)


def test_the_bulk_path_encrypts_and_indexes_too(world):
    from xinfang.petitions.services import PetitionInput, petition_register_many

    regs = petition_register_many(
        items=[
            PetitionInput(
                channel="letter",
                title="t",
                content="c",
                region_code="990102",
                parties=[PartyInput(role="petitioner", name="李", phone=PHONE)],
            )
        ],
        organ=world.county_po,
        actor=world.clerk,
    )
    x = regs[0].petition.parties.get()
    assert PHONE not in _raw(x.pk)[1] and x.phone_digest == crypto.phone_digest(PHONE)


def test_parties_are_found_by_blind_index_whatever_the_phone_format(party):
    for form in (PHONE, "+86 139-1234-5678", "0086 13912345678"):
        assert Party.objects.filter(phone_digest=crypto.phone_digest(form)).get() == party
    assert Party.objects.filter(id_digest=crypto.id_digest(ID.lower())).get() == party
    assert crypto.phone_digest("") == "" and len(party.phone_digest) == 64


def test_the_encrypted_field_refuses_searches_that_could_never_match(party):
    with pytest.raises(FieldError, match="blind index"):
        list(Party.objects.filter(phone=PHONE))
    assert Party.objects.filter(phone__isnull=False).exists()


def test_keys_rotate_without_losing_data(party, settings):
    old = list(settings.XINFANG_FIELD_KEYS)
    new = crypto.new_field_key()
    settings.XINFANG_FIELD_KEYS = [new, *old]
    assert Party.objects.get(pk=party.pk).phone == PHONE  # old rows still readable
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
    settings.XINFANG_FIELD_KEYS = [new]  # the old key is gone
    assert Party.objects.get(pk=party.pk).id_number == ID
    settings.XINFANG_FIELD_KEYS = old  # and the old key alone can no longer read it
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        Party.objects.get(pk=party.pk)
    settings.XINFANG_FIELD_KEYS = [new]


def test_plaintext_rows_from_before_encryption_are_read_and_then_encrypted(party):
    with connection.cursor() as c:
        c.execute(f"UPDATE {Party._meta.db_table} SET phone = %s WHERE id = %s", [PHONE, party.pk])
    x = Party.objects.get(pk=party.pk)
    assert x.phone == PHONE
    x.save()
    assert _raw(party.pk)[1].startswith("gAAAAA")


def test_masks():
    assert mask_id_number(ID) == "110***********803X"
    assert mask_phone("139-1234-5678") == "139****5678"
    assert mask_phone("") == "" and mask_id_number("") == ""
    text = f"信访人电话{PHONE}，身份证{ID}，查询码 2025030312345678"
    masked = mask_text(text)
    assert PHONE not in masked and ID not in masked and "2025030312345678" in masked


def test_logs_never_carry_identity_numbers_or_phones():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "call %s about %s", (PHONE, ID), None
    )
    MaskingFilter().filter(record)
    assert PHONE not in record.getMessage() and ID not in record.getMessage()


def test_a_petitioner_gets_everything_held_about_their_petition(world, register):
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.privacy import petition_personal_data_export

    p = register(
        parties=[
            PartyInput(
                role="petitioner",
                name="张三",
                phone=PHONE,
                id_number=ID,
                address="青山县幸福小区3栋",
            )
        ]
    ).petition
    out = petition_personal_data_export(petition=p)
    assert out["parties"][0] | {} == out["parties"][0]
    assert out["parties"][0]["id_number"] == ID and out["parties"][0]["phone"] == PHONE
    assert out["petition"]["content"] == p.content
    assert [e["step"] for e in out["timeline"]] == ["接收", "登记"]
    assert out["deadlines"] and "retention" in out and "legal_basis" in out
    assert "clerk" not in str(out)  # staff are named by organ only
    assert AuditRecord.objects.filter(kind="personal_data.export", object_id=str(p.pk)).exists()


@override_settings(XINFANG_RETENTION_YEARS=1)
def test_identities_are_anonymised_after_the_retention_period(world, register, capsys):
    import time_machine

    from xinfang.petitions.models import Petition

    p = register(parties=[PartyInput(role="petitioner", name="张三", phone=PHONE)]).petition
    still_open = register(
        parties=[PartyInput(role="petitioner", name="李四", phone=PHONE)]
    ).petition
    Petition.objects.filter(pk=p.pk).update(is_open=False, last_event_at=local(2023, 1, 1))
    with time_machine.travel(local(2025, 9, 1), tick=False):
        call_command("anonymise_personal_data", "--dry-run")
        assert "将匿名化 1" in capsys.readouterr().out
        call_command("anonymise_personal_data")
        call_command("anonymise_personal_data")  # idempotent
    x = p.parties.get()
    assert x.name == "（已匿名化）" and x.phone == "" and x.phone_digest == "" and x.anonymised_at
    assert still_open.parties.get().phone == PHONE
    assert Party.objects.filter(phone_digest=crypto.phone_digest(PHONE)).count() == 1
    assert local(2023, 1, 1) + timedelta(days=365) < local(2025, 9, 1)


def test_a_clerk_finds_earlier_petitions_by_phone_through_the_blind_index(world, register):
    from xinfang.petitions.similar import petition_similar_for_user

    p = register(parties=[PartyInput(role="petitioner", name="张三", phone=PHONE)]).petition
    found = petition_similar_for_user(user=world.clerk, phone="+86 139 1234 5678")
    assert [m.petition.pk for m in found] == [p.pk]
