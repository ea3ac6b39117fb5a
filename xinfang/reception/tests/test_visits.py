"""Down-visits (下访、带访, Art. 18 para 2): a plan of petitions to discuss, each meeting an
ordinary reception record (its promise a task on the worklist and the board, an entry of the
petition's timeline), the outcome; the refusals (a date past, a petition not visible, a leader
already busy that day, a petition not on the plan, a cancelled plan, a closed plan); the pages
(PRG, errors keep what was typed, 4xx on bad input)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.reception.models import Promise, ReceptionRecord, VisitPlan, VisitStatus
from xinfang.reception.selectors import board_promises, visits_for_user
from xinfang.reception.services import (
    PromiseInput,
    VisitInput,
    record_write,
    visit_close,
    visit_plan,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ON = date(2025, 9, 3)


def _plan(world, leader, petitions, *, actor=None, **over):
    fields = dict(
        organ=world.county_po,
        leader_id=leader.pk,
        on=ON,
        place="青山县幸福社区居委会",
        petition_ids=[p.pk for p in petitions],
        officials="县信访局 李四",
    )
    fields.update(over)
    return visit_plan(actor=actor or world.clerk, data=VisitInput(**fields))


def _meet(world, leader, plan, petition, *, at=None, **over):
    fields = dict(
        actor=world.clerk,
        petition_id=petition.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="餐馆油烟噪声",
        said="到现场看过，责成住建局限期整改。",
        promises=[PromiseInput("十日内组织整改并回访", world.clerk.pk, date(2025, 9, 13))],
        visit_id=plan.pk,
        at=at or local(2025, 9, 3, 15),
    )
    fields.update(over)
    return record_write(**fields)


def test_a_visit_record_is_reception_of_the_same_kind(world, leader, register):
    """plan -> record (a promise on the worklist and the board) -> timeline -> outcome."""
    from xinfang.reception.panel import reception_timeline

    p, q = register().petition, register().petition
    plan = _plan(world, leader, [p, q])
    assert set(plan.items.values_list("petition_id", flat=True)) == {p.pk, q.pk}
    r = _meet(world, leader, plan, p)
    assert r.visit == plan and r.organ == world.county_po and r.received_by == leader
    promise = Promise.objects.get(record=r)
    assert promise in board_promises(user=world.clerk)
    items = list(reception_timeline(petition=p, user=world.clerk))
    assert [i.label for i in items] == ["下访接谈记录"] and "限期整改" in items[0].text
    with pytest.raises(ApplicationError) as e:  # a closed plan's date is reached only on the day
        visit_close(actor=world.clerk, plan_id=plan.pk, status="done", outcome="x")
    assert "status" in e.value.fields
    done = visit_close(
        actor=world.clerk,
        plan_id=plan.pk,
        status=VisitStatus.DONE,
        outcome="两件当面答复，一件限期整改。",
        at=local(2025, 9, 3, 18),
    )
    assert done.status == "done" and done.closed_by == world.clerk
    with pytest.raises(ApplicationError) as e:
        visit_close(
            actor=world.clerk, plan_id=plan.pk, status="cancelled", outcome="x",
            at=local(2025, 9, 4),
        )  # fmt: skip
    assert e.value.status == 409


def test_the_plan_refuses_past_dates_unseen_petitions_and_a_busy_leader(
    world, leader, register, publish
):
    p = register().petition
    with pytest.raises(ApplicationError) as e:
        _plan(world, leader, [p], on=date(2025, 8, 31), place="", petition_ids=[])
    assert {"on", "place", "petitions"} <= set(e.value.fields)
    city = register(organ=world.city_po, actor=world.city_clerk).petition
    with pytest.raises(ApplicationError) as e:  # above the clerk's scope: not found
        _plan(world, leader, [city])
    assert "petitions" in e.value.fields
    publish(on=ON)  # the leader receives at a session that day
    with pytest.raises(ApplicationError) as e:
        _plan(world, leader, [p])
    assert "leader" in e.value.fields
    _plan(world, leader, [p], on=date(2025, 9, 4))
    with pytest.raises(ApplicationError) as e:  # and is on another visit the next
        _plan(world, leader, [p], on=date(2025, 9, 4))
    assert "leader" in e.value.fields
    assert VisitPlan.objects.count() == 1


def test_a_record_must_be_about_a_petition_of_a_live_plan_on_or_after_its_day(
    world, leader, register
):
    p, other = register().petition, register().petition
    plan = _plan(world, leader, [p])
    with pytest.raises(ApplicationError) as e:
        _meet(world, leader, plan, other)
    assert "visit" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        _meet(world, leader, plan, p, at=local(2025, 9, 2, 10))
    assert "received_at" in e.value.fields
    visit_close(actor=world.clerk, plan_id=plan.pk, status="cancelled", outcome="暴雨改期")
    with pytest.raises(ApplicationError) as e:
        _meet(world, leader, plan, p)
    assert "visit" in e.value.fields
    with pytest.raises(NotFound):
        _meet(world, leader, plan, p, visit_id=plan.pk + 1000)
    assert not ReceptionRecord.objects.exists()


def test_an_accusation_is_never_put_on_the_accused_organs_plan(world, leader, register):
    """Art. 30 para 3: the city office sees an accusation against the county government; it
    cannot put it on a plan of the county government or of an organ below it.
    Planted fault: ``visit_plan`` without ``organ_accused_by`` plans it."""
    acc = register(
        organ=world.city_po, actor=world.city_clerk, category="accusation", route=None,
        accused_organ_id=world.county_gov.pk, title="检举县政府违规征地",
    ).petition  # fmt: skip
    for organ in (world.county_gov, world.county_po):
        with pytest.raises(ApplicationError) as e:
            _plan(world, leader, [acc], actor=world.city_clerk, organ=organ)
        assert acc.tracking_code in " ".join(e.value.fields["petitions"])
    assert not VisitPlan.objects.exists()


def test_a_leader_named_in_an_accusation_neither_leads_the_visit_nor_receives_it(
    world, leader, register
):
    """Art. 30 para 3: an accusation naming 王县长 is not put on a visit he leads, and no
    record says he received the petitioner about it (at a visit or a reception day).
    Planted fault: ``visit_plan`` / ``record_write`` without ``petition_names_user``."""
    acc = register(
        category="accusation", route=None, accused_staff_ids=[leader.pk],
        title="检举王县长违规干预征地",
    ).petition  # fmt: skip
    with pytest.raises(ApplicationError) as e:
        _plan(world, leader, [acc], purpose="就检举王县长一事接谈")
    assert acc.tracking_code in " ".join(e.value.fields["leader"])
    assert not VisitPlan.objects.exists()
    assert list(visits_for_user(user=leader, mine=True)) == []
    plan = _plan(world, leader, [register().petition])
    with pytest.raises(ApplicationError) as e:  # not on the plan, and he may not receive it
        _meet(world, leader, plan, acc)
    assert "received_by" in e.value.fields
    with pytest.raises(ApplicationError) as e:  # nor at an ordinary reception
        _meet(world, leader, plan, acc, visit_id=None)
    assert "received_by" in e.value.fields
    assert not ReceptionRecord.objects.exists()


def test_other_organs_plans_are_not_seen_and_not_closed(world, leader, register):
    p = register().petition
    plan = _plan(world, leader, [p])
    from xinfang.directory.services import staff_create

    other = staff_create(
        username="elsewhere", password=None, organ=world.housing, roles=["registrar"]
    )
    assert list(visits_for_user(user=other)) == []
    with pytest.raises(NotFound):
        visit_close(actor=other, plan_id=plan.pk, status="cancelled", outcome="x")
    assert [v.shown for v in visits_for_user(user=world.clerk)] == [1]


def test_the_pages_plan_record_and_close_a_visit(client, world, leader, register):
    p = register().petition
    client.force_login(world.clerk)
    assert client.get("/reception/visits/").status_code == 200
    assert (
        f"/reception/visits/new/?petition={p.pk}"
        in client.get(f"/petitions/{p.pk}/").content.decode()
    )
    r = client.get(f"/reception/visits/new/?petition={p.pk}")
    assert p.tracking_code in r.content.decode()
    form = {
        "organ": world.county_po.pk,
        "kind": "accompanied",
        "on": "2025-09-01",
        "place": "幸福社区",
        "leader": leader.pk,
        "petitions": f"{p.tracking_code}\nZZZZZZZZ",
        "purpose": "带案下访，当面答复",
    }
    r = client.post("/reception/visits/new/", form)
    body = r.content.decode()
    assert r.status_code == 400 and "ZZZZZZZZ" in body and "带案下访，当面答复" in body
    form["petitions"] = p.tracking_code
    r = client.post("/reception/visits/new/", form)
    assert r.status_code == 302
    plan = VisitPlan.objects.get()
    assert r["Location"] == f"/reception/visits/{plan.pk}/"
    body = client.get(r["Location"]).content.decode()
    assert p.title in body and f"visit={plan.pk}" in body
    r = client.get(f"/reception/records/new/?petition={p.pk}&visit={plan.pk}")
    assert r.status_code == 200 and "幸福社区" in r.content.decode()
    r = client.post(
        "/reception/records/new/",
        {
            "petition": p.pk, "visit": plan.pk, "received_by": leader.pk,
            "attendees": "张三", "asked": "油烟", "said": "当面答复",
            "promise_0": "回访", "promise_0_owner": world.clerk.pk, "promise_0_due": "2025-09-09",
        },
    )  # fmt: skip
    assert r.status_code == 302
    rec = ReceptionRecord.objects.get()
    assert rec.visit == plan
    assert "带访接谈记录" in client.get(f"/petitions/{p.pk}/").content.decode()
    r = client.post(f"/reception/visits/{plan.pk}/close/", {"status": "done", "outcome": ""})
    assert r.status_code == 400
    r = client.post(f"/reception/visits/{plan.pk}/close/", {"status": "done", "outcome": "已答复"})
    assert r.status_code == 302
    assert "已答复" in client.get(f"/reception/visits/{plan.pk}/").content.decode()


@pytest.mark.parametrize(
    "field,value",
    [("on", "2025-13-40"), ("leader", "x" * 20), ("place", "a\x00b"), ("petitions", "A" * 9000),
     ("organ", "-1")],
)  # fmt: skip
def test_bad_input_is_a_4xx(client, world, leader, register, field, value):
    p = register().petition
    client.force_login(world.clerk)
    form = {
        "organ": world.county_po.pk, "kind": "down", "on": "2025-09-03", "place": "社区",
        "leader": leader.pk, "petitions": p.tracking_code,
    }  # fmt: skip
    form[field] = value
    r = client.post("/reception/visits/new/", form)
    assert 400 <= r.status_code < 500
    assert not VisitPlan.objects.exists()
    assert client.get("/reception/visits/999999999999/").status_code in (400, 404)
    r = client.post("/reception/visits/1/close/", {"status": "x\x00"})
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("field,label", [("leader", "带队领导"), ("organ", "下访机关")])
def test_a_malformed_number_is_named_by_the_fields_label(client, world, leader, field, label):
    """Walker report item 11: the message said "参数有误：leader"."""
    client.force_login(world.clerk)
    form = {"organ": world.county_po.pk, "kind": "down", "on": "2025-09-03", "leader": leader.pk}
    form[field] = "x1"
    body = client.post("/reception/visits/new/", form).content.decode()
    assert f"参数有误：{label}" in body and f"参数有误：{field}" not in body


#: The most queries each down-visit page may run (as xinfang/web/tests/test_query_budget.py
#: pins the menu pages); a query per row fails the "does not grow" check.
VISIT_BUDGET = {"/reception/visits/": 5, "/reception/visits/<id>/": 9}  # measured on SQLite


def test_the_visit_pages_run_a_pinned_number_of_queries(client, world, leader, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts(plan):  # type: ignore[no-untyped-def]
        out = {}
        for key, url in (
            ("/reception/visits/", "/reception/visits/"),
            ("/reception/visits/<id>/", f"/reception/visits/{plan.pk}/"),
        ):
            client.get(url)
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out[key] = len(q.captured_queries)
        return out

    client.force_login(world.clerk)
    ps = [register().petition for _ in range(2)]
    few_plan = _plan(world, leader, ps)
    _meet(world, leader, few_plan, ps[0])
    few = counts(few_plan)
    more = [register().petition for _ in range(6)]
    many_plan = _plan(world, leader, more, on=date(2025, 9, 4))
    for i, p in enumerate(more):
        _meet(world, leader, many_plan, p, at=local(2025, 9, 4, 9 + i))
    many = counts(many_plan)
    assert many == few, (few, many)
    assert all(n <= VISIT_BUDGET[k] for k, n in many.items()), many
