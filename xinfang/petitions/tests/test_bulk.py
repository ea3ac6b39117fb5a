"""The bulk registration path (ADR 0020) writes what the single path writes, field by field;
a refused row is skipped alone; the audit chain verifies after a batch. Runs on SQLite and
PostgreSQL (XINFANG_TEST_DB=postgres)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection

from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.services import (
    PartyInput,
    PastItem,
    PastStep,
    PetitionInput,
    petition_register,
    petition_register_batch,
    petition_register_many,
    petition_register_past,
    petition_register_past_many,
)
from xinfang.petitions.workflow import Action

pytestmark = pytest.mark.usefixtures("frozen")  # one clock for both paths: recorded_at alike

# What is the petition's own, not a fact of the registration: never the same twice.
OWN = {"id", "tracking_code", "query_secret"}


def _inputs(world) -> list[PetitionInput]:  # type: ignore[no-untyped-def]
    me = PartyInput(role="petitioner", name="张三", id_number="11010519491231002X",
                    phone="13800138000", address="东湖市")  # fmt: skip
    return [
        PetitionInput(channel="letter", title="停车", content="车位被占", region_code="990102",
                      received_at=date(2025, 8, 20), parties=[me]),
        PetitionInput(channel="visit", title="来访", content="工资拖欠", region_code="990102",
                      received_at=datetime(2025, 8, 29, 9, 30), category="appeal", route=6,
                      received_by="李四", parties=[me]),
        PetitionInput(channel="phone", title="匿名", content="噪音扰民", region_code="990102",
                      is_anonymous=True, category="suggestion"),
        PetitionInput(channel="letter", title="集体", content="拆迁补偿", region_code="990102",
                      is_collective=True, head_count=12, category="appeal", route=5,
                      received_at=date(2025, 8, 1),
                      parties=[me, PartyInput(role="representative", name="王五")]),
        PetitionInput(channel="online", title="检举", content="违规审批", region_code="990102",
                      category="accusation", accused_organ_id=world.housing.pk,
                      accused_persons="赵六", received_at=date(2025, 7, 30), parties=[me]),
    ]  # fmt: skip


def _rows(ids: list[int]) -> list[dict]:  # type: ignore[type-arg]
    """Every field of the petitions, their events, deadlines and parties, minus their own ids."""
    out = []
    for pk in ids:
        p = Petition.objects.get(pk=pk)
        out.append(
            {
                "petition": {f.attname: getattr(p, f.attname) for f in Petition._meta.concrete_fields
                             if f.attname not in OWN},
                "events": [
                    {f.attname: getattr(e, f.attname) for f in PetitionEvent._meta.concrete_fields
                     if f.attname not in {"id", "petition_id"}}
                    for e in p.events.order_by("seq")
                ],
                "deadlines": sorted(
                    (tuple((f.attname, getattr(d, f.attname)) for f in Deadline._meta.concrete_fields
                           if f.attname not in {"id", "petition_id"})
                     for d in Deadline.objects.filter(petition=p)),
                    key=repr,
                ),
                "parties": [
                    {f.attname: getattr(x, f.attname) for f in Party._meta.concrete_fields
                     if f.attname not in {"id", "petition_id"}}
                    for x in Party.objects.filter(petition=p).order_by("pk")
                ],
            }
        )  # fmt: skip
    return out


def _verify() -> list[str]:
    from xinfang.audit.verify import audit_verify

    return audit_verify().problems


def test_a_batch_writes_what_the_single_path_writes_field_by_field(world):
    items = _inputs(world)
    at = datetime(2025, 8, 31, 10, 0).astimezone()
    single = [
        petition_register(data=d, organ=world.county_po, actor=world.clerk, at=at).petition.pk
        for d in items
    ]
    batch = petition_register_batch(
        items=items, organ=world.county_po, actor=world.clerk, at=[at] * len(items)
    )
    assert not batch.refused
    bulk = [batch.registered[i].petition.pk for i in range(len(items))]
    assert _rows(bulk) == _rows(single)
    # the deadlines (T1…) are there and equal, not both empty
    assert Deadline.objects.filter(petition_id__in=bulk).count() >= len(items)
    assert _verify() == []


def test_the_all_or_nothing_call_registers_now_as_the_single_path_does(world):
    items = _inputs(world)
    single = [petition_register(data=d, organ=world.county_po, actor=world.clerk).petition.pk
              for d in items]  # fmt: skip
    many = [r.petition.pk for r in
            petition_register_many(items=items, organ=world.county_po, actor=world.clerk)]  # fmt: skip
    assert _rows(many) == _rows(single)


def test_a_refused_row_is_reported_and_only_it_is_skipped(world):
    items = _inputs(world)
    bad = PetitionInput(channel="letter", title="", content="", region_code="000000")
    batch = petition_register_batch(
        items=[items[0], bad, items[2]], organ=world.county_po, actor=world.clerk
    )
    assert sorted(batch.registered) == [0, 2]
    assert sorted(batch.refused) == [1]
    assert any("title" in r for r in batch.refused[1])
    assert any("region_code" in r for r in batch.refused[1])
    assert Petition.objects.count() == 2
    assert _verify() == []


def _past(world, ref: str, *, closed: date = date(2024, 6, 10)) -> PastItem:  # type: ignore[no-untyped-def]
    A = Action
    data = PetitionInput(
        channel="letter", title="小区停车位被占", content="物业长期占用公共车位，要求处理",
        region_code="990102", received_at=date(2024, 3, 4),
        parties=[PartyInput(role="petitioner", name="张三", phone="13800138000")],
    )  # fmt: skip
    steps = [
        PastStep(A.TRANSFER, date(2024, 3, 6), data={"to_organ_id": world.housing.pk}),
        PastStep(A.ACKNOWLEDGE, date(2024, 3, 10), data={"category": "appeal", "route": 6}),
        PastStep(A.START_HANDLING, date(2024, 4, 20)),
        PastStep(A.ISSUE_OPINION, date(2024, 4, 20), data={
            "request": "清理车位", "facts": "占用属实", "decision": "责成物业限期清理",
            "legal_basis": "物业管理条例", "outcome": "support"}),
        PastStep(A.RECORD_DELIVERY, date(2024, 4, 22), data={"method": "other", "signed": True}),
        PastStep(A.EXPIRE_WINDOW, closed),
        PastStep(A.CLOSE, closed),
    ]  # fmt: skip
    return PastItem(data=data, organ=world.county_po, registered_at=date(2024, 3, 4),
                    steps=steps, source_ref=ref)  # fmt: skip


def test_a_batch_of_the_past_writes_what_petition_register_past_writes(world):
    items = [_past(world, f"A-{i}") for i in range(3)]
    single = [
        petition_register_past(data=it.data, organ=it.organ, registered_at=it.registered_at,
                               steps=it.steps, source="旧系统", source_ref=it.source_ref,
                               actor=world.clerk).pk
        for it in items
    ]  # fmt: skip
    batch = petition_register_past_many(items=items, source="旧系统", actor=world.clerk)
    assert not batch.refused
    bulk = [batch.registered[i].petition.pk for i in range(3)]
    got, want = _rows(bulk), _rows(single)
    assert [g["petition"]["state"] for g in got] == ["closed"] * 3
    assert got == want
    assert _verify() == []
    from xinfang.audit.models import AuditRecord

    imported = AuditRecord.objects.filter(kind="petition.imported")
    assert sorted(imported.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in single + bulk
    )


def test_a_row_of_the_past_refused_at_a_step_leaves_nothing_of_itself(world):
    # closed before the 30 days for a review request lapsed (Art. 35)
    items = [
        _past(world, "A-1"),
        _past(world, "A-2", closed=date(2024, 4, 30)),
        _past(world, "A-3"),
    ]
    batch = petition_register_past_many(items=items, source="旧系统", actor=world.clerk)
    assert sorted(batch.registered) == [0, 2]
    assert list(batch.refused) == [1]
    assert "第 6 步" in batch.refused[1][0]
    assert Petition.objects.count() == 2
    assert PetitionEvent.objects.filter(petition_id__in=[
        r.petition.pk for r in batch.registered.values()]).count() == 2 * 9  # fmt: skip
    assert _verify() == []


def test_verify_finds_an_edit_of_a_petition_written_in_a_batch(world):
    batch = petition_register_batch(items=_inputs(world), organ=world.county_po, actor=world.clerk)
    pk = batch.registered[0].petition.pk
    assert _verify() == []
    with connection.cursor() as c:
        c.execute("UPDATE deadlines_deadline SET due_date = %s WHERE petition_id = %s",
                  [date(2030, 1, 1), pk])  # fmt: skip
    assert any(str(pk) in p for p in _verify())
