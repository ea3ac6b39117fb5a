"""``core.rows.rows_insert``, the importers' writer (ADR 0025): the rows it writes are those
``bulk_create`` writes (the field-by-field comparison of the two registration paths is in
test_bulk.py); here what is its own: ids reserved before writing never collide with the ORM's,
before or after, on either database, and the instances come out as saved ones.

Planted faults (done by hand): skip ``pre_save`` (the blind index and ``created_at`` stay
empty), or hand out ids from the table's current highest instead of SQLite's sqlite_sequence:
the tests below fail."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from xinfang.core.crypto import phone_digest
from xinfang.core.rows import COPY_MIN_ROWS, ids_reserve, rows_insert, values_insert
from xinfang.petitions.models import AppendOnlyError, Party, PetitionEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _party(petition, name: str, phone: str = "") -> Party:  # type: ignore[no-untyped-def]
    return Party(petition=petition, role="petitioner", name=name, phone=phone)


def test_rows_are_stored_as_the_orm_stores_them_and_come_out_saved(register):
    p = register().petition
    with transaction.atomic():
        fast = [_party(p, "张三", "13800138000"), _party(p, "李四")]
        rows_insert(fast)
        slow = Party.objects.bulk_create([_party(p, "张三", "13800138000"), _party(p, "李四")])
    assert all(o.pk and not o._state.adding for o in fast)
    got = {
        o.pk: (o.name, o.phone, o.phone_digest, o.id_digest, o.role, o.petition_id)
        for o in Party.objects.filter(pk__in=[o.pk for o in fast + slow])
    }
    assert [got[o.pk] for o in fast] == [got[o.pk] for o in slow]
    assert got[fast[0].pk][2] == phone_digest("13800138000") != ""
    event = PetitionEvent.objects.filter(petition=p).first()
    again = PetitionEvent(**{f.attname: getattr(event, f.attname)
                             for f in PetitionEvent._meta.concrete_fields if f.attname != "id"})  # fmt: skip
    again.seq = 99
    rows_insert([again])
    with pytest.raises(AppendOnlyError):  # written: an append-only row is not saved twice
        again.save()


def test_ids_never_collide_with_the_orms_before_or_after(register):
    p = register().petition
    before = Party.objects.create(petition=p, role="petitioner", name="甲")
    with transaction.atomic():
        rows = [_party(p, f"乙{i}") for i in range(5)]
        rows_insert(rows)
    after = Party.objects.create(petition=p, role="petitioner", name="丙")
    ids = [before.pk, *(r.pk for r in rows), after.pk]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # the highest id deleted is not handed out again (SQLite AUTOINCREMENT; PostgreSQL's sequence)
    Party.objects.filter(pk=after.pk).delete()
    with transaction.atomic():
        (fresh,) = ids_reserve(Party, 1)
    assert fresh > after.pk


def test_a_refused_row_raises_djangos_error_on_every_database(register):
    """revB 2: on PostgreSQL the rows go through psycopg's COPY, which Django's cursor does not
    wrap; its errors must still come out as Django's (the hotline import's duplicate handler
    and the error pages catch ``django.db.IntegrityError``, not psycopg's)."""
    p = register().petition
    taken = Party.objects.create(petition=p, role="petitioner", name="甲")
    before = sorted(Party.objects.filter(petition=p).values_list("pk", "name"))
    with pytest.raises(IntegrityError), transaction.atomic():  # the same id twice
        rows_insert([Party(pk=taken.pk, petition=p, role="petitioner", name="乙")])
    with pytest.raises(IntegrityError), transaction.atomic():  # a required column missing
        values_insert(Party, ["petition_id", "role", "name"], [(p.pk, None, "丙")])
    # a batch as long as COPY takes on PostgreSQL (a few rows go in one INSERT): the same
    many = [(p.pk, "petitioner", f"丁{i}") for i in range(COPY_MIN_ROWS - 1)]
    with pytest.raises(IntegrityError), transaction.atomic():
        values_insert(Party, ["petition_id", "role", "name"], [*many, (p.pk, None, "丙")])
    assert sorted(Party.objects.filter(petition=p).values_list("pk", "name")) == before


@pytest.mark.parametrize("n", [1, 3, COPY_MIN_ROWS, COPY_MIN_ROWS + 5])
def test_a_few_rows_and_a_batch_are_stored_alike(register, n):
    """A few rows go in one INSERT on PostgreSQL (one round trip), a batch by COPY: the rows
    stored are the same either way, on both databases."""
    p = register().petition
    cols = ["petition_id", "role", "name", "id_number", "phone", "id_digest", "phone_digest"]
    cols += ["address", "is_organisation"]
    values_insert(
        Party, cols, [(p.pk, "agent", f"戊{i}", "", "", "", "", "", False) for i in range(n)]
    )
    got = sorted(Party.objects.filter(petition=p, role="agent").values_list("name", flat=True))
    assert got == sorted(f"戊{i}" for i in range(n))


def test_tracking_codes_are_sixteen_characters_of_the_alphabet_each_equally_likely():
    from collections import Counter

    from xinfang.core.ids import ALPHABET, CODE_LENGTH, new_tracking_code

    codes = [new_tracking_code() for _ in range(6200)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    for pos in (0, CODE_LENGTH - 1):  # the first and last digit of the base-31 number
        seen = Counter(c[pos] for c in codes)  # 200 expected each; 5 sigma is about 70
        assert set(seen) == set(ALPHABET) and all(130 < n < 270 for n in seen.values())
