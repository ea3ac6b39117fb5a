"""A new petition's seal is computed from the rows the service just wrote, not read back (ADR
0014): it must be exactly the digest that ``audit verify`` reads from the database, on both
databases, for every shape of petition; a value whose stored form is not certain falls back to
reading. And the seal's reads, compiled once (``core.prepared``), give the ORM's rows.

Planted fault (done by hand): drop a field from ``_in_hand``'s values, or let ``_stored`` keep
a datetime's zone; the comparisons below fail, and so does ``audit verify`` after a
registration in test_seal.py.
"""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.audit.seals import seal_records
from xinfang.audit.verify import audit_verify
from xinfang.petitions import seal as seal_module
from xinfang.petitions.models import Party, Petition
from xinfang.petitions.seal import NotInHand, Written, petition_digest_written, petition_digests
from xinfang.petitions.services import AttachmentInput, PartyInput, PetitionInput
from xinfang.petitions.services.bulk import petition_register_batch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def in_hand(monkeypatch):
    """The digests computed from the rows in hand, by petition id (and none refused)."""
    seen: dict[int, str] = {}
    real = seal_module.petition_digest_written

    def spy(w: Written) -> str:
        seen[w.petition.pk] = real(w)
        return seen[w.petition.pk]

    monkeypatch.setattr(seal_module, "petition_digest_written", spy)
    return seen


def _last_seal(pk: int) -> str:
    rec = seal_records("petition", pk).order_by("-seq")
    return rec.first().digest


def _shapes(world) -> list[dict]:
    """Petitions of every shape the registration writes."""
    return [
        {},  # a letter with a petitioner and a phone
        {
            "parties": [
                PartyInput(
                    role="petitioner",
                    name=" 李四 ",
                    id_number="11010519491231002X",
                    phone="13800000001",
                    address="青山县幸福小区 3 栋",
                ),
                PartyInput(role="petitioner", name="青山县某公司", is_organisation=True),
            ],
            "is_collective": True,
            "head_count": 7,
            "confidential": True,
        },  # fmt: skip
        {"is_anonymous": True, "parties": []},
        {"category": "", "route": None},
        {"category": "suggestion", "route": None},
        {
            "category": "accusation",
            "route": None,
            "accused_staff_ids": [world.handler.pk, world.head.pk],
            "accused_persons": "王五",
            "accused_organ_id": world.housing.pk,
        },
        {"channel": "visit", "received_by": "接待员 甲"},
        {"route": 1},
    ]


def test_a_registration_seals_what_verify_reads_back(world, register, in_hand):
    pks = [register(**shape).petition.pk for shape in _shapes(world)]
    pks.append(register(attachments=[AttachmentInput("材料.pdf", PDF)]).petition.pk)
    assert set(in_hand) == set(pks)  # every seal from the rows in hand, none read back
    from_db = petition_digests(pks)
    for pk in pks:
        assert in_hand[pk] == from_db[pk] == _last_seal(pk), pk
    rep = audit_verify()
    assert rep.ok, rep.problems


def test_a_batch_seals_what_verify_reads_back(world, in_hand):
    base = {
        "channel": "hotline",
        "title": "噪声扰民",
        "content": "楼下餐馆每晚营业至凌晨。",
        "region_code": "990102",
        "received_at": local(2025, 8, 30, 9),
        "category": "appeal",
        "route": 6,
        "parties": [PartyInput(role="petitioner", name="张三", phone="13800000000")],
    }
    items = [PetitionInput(**{**base, **shape}) for shape in _shapes(world)]
    items.append(PetitionInput(**{**base, "attachments": [AttachmentInput("材料.pdf", PDF)]}))
    batch = petition_register_batch(items=items, organ=world.county_po, actor=world.clerk)
    assert not batch.refused
    pks = [reg.petition.pk for reg in batch.registered.values()]
    assert set(in_hand) == set(pks)
    from_db = petition_digests(pks)
    for pk in pks:
        assert in_hand[pk] == from_db[pk] == _last_seal(pk), pk
    assert audit_verify().ok


def test_an_edit_in_sql_after_a_registration_still_shows(world, register):
    from django.db import connection

    p = register(**_shapes(world)[1]).petition
    assert audit_verify().ok
    with connection.cursor() as c:
        c.execute(
            f"UPDATE {Party._meta.db_table} SET address = %s WHERE petition_id = %s", ["别处", p.pk]
        )
    assert any(f"petition {p.pk}: " in x for x in audit_verify().problems)


def test_a_value_whose_stored_form_is_uncertain_is_read_back(world, register, monkeypatch):
    """``head_count="7"`` would be stored as 7: the digest in hand refuses it and the seal
    reads the rows back instead (still the right digest)."""
    p = register().petition
    w = Written(Petition.objects.get(pk=p.pk), [], [], [])
    w.petition.head_count = "7"
    with pytest.raises(NotInHand):
        petition_digest_written(w)
    naive = Petition.objects.get(pk=p.pk)
    naive.received_at = naive.received_at.replace(tzinfo=None)
    with pytest.raises(NotInHand):
        petition_digest_written(Written(naive, [], [], []))

    def refuse(w: Written) -> str:
        raise NotInHand("test")

    monkeypatch.setattr(seal_module, "petition_digest_written", refuse)
    q = register(title="另一件").petition
    assert _last_seal(q.pk) == petition_digests([q.pk])[q.pk]
    assert audit_verify().ok


@pytest.mark.parametrize("n", [1, 3, 17])
def test_the_compiled_reads_give_the_orm_rows(world, register, n):
    """``values_by_ids`` (compiled once per number of ids) against the ORM, decrypted parties
    and all, including more ids than it keeps compiled."""
    from xinfang.core.prepared import values_by_ids

    shapes = _shapes(world)
    pks = [register(**shapes[i % len(shapes)]).petition.pk for i in range(n)]
    for k, build in enumerate(
        (
            lambda c: (
                Party.objects.filter(petition_id__in=c)
                .order_by("petition_id", "pk")
                .values_list("petition_id", "pk", *seal_module.PARTY_FIELDS)
            ),
            lambda c: Petition.objects.filter(pk__in=c).values_list(
                "pk", *seal_module.PETITION_FIELDS
            ),
        )
    ):
        for _twice in range(2):  # compiled, then from the cache
            assert values_by_ids(f"test.{k}", build, pks) == list(build(pks))
