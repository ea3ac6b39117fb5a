"""The reception record: an entry of the petition's timeline that never changes its state,
at most five representatives of a collective visit, promises as tasks with owners and due
dates on the leader's board; a leader taking charge through the one writer of flags."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.petitions.models import Petition
from xinfang.reception.models import Appointment, AppointmentStatus, Promise, ReceptionRecord
from xinfang.reception.selectors import board_petitions, board_promises
from xinfang.reception.services import (
    PromiseInput,
    appointment_book_desk,
    leader_take_charge,
    promise_done,
    record_write,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _write(world, leader, petition, **over):
    fields = dict(
        actor=world.clerk,
        petition_id=petition.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="请求处理餐馆油烟噪声",
        said="已听取诉求，责成住建局十日内现场核查。",
        promises=[PromiseInput("组织现场核查并书面答复", world.clerk.pk, date(2025, 9, 10))],
    )
    fields.update(over)
    return record_write(**fields)


def test_a_record_keeps_the_state_and_its_promise_is_a_task(world, leader, register):
    p = register().petition
    state, events = p.state, p.events.count()
    r = _write(world, leader, p)
    p.refresh_from_db()
    assert p.state == state and p.events.count() == events  # the one writer of state untouched
    t = Promise.objects.get(record=r)
    assert t.owner == world.clerk and t.due_on == date(2025, 9, 10) and t.status == "open"
    assert list(board_promises(user=world.clerk)) == [t]


def test_a_collective_visit_with_six_representatives_is_refused(world, leader, register):
    p = register().petition
    six = ["甲", "乙", "丙", "丁", "戊", "己"]
    with pytest.raises(ApplicationError) as e:
        _write(world, leader, p, representatives=six)
    assert "representatives" in e.value.fields and not ReceptionRecord.objects.exists()
    _write(world, leader, p, representatives=six[:5])


def test_a_promise_due_before_the_reception_or_without_an_owner_in_scope_is_refused(
    world, leader, register
):
    p = register().petition
    with pytest.raises(ApplicationError) as e:
        _write(
            world,
            leader,
            p,
            promises=[
                PromiseInput("a", world.clerk.pk, date(2025, 8, 1)),
                PromiseInput("b", world.city_clerk.pk, date(2025, 9, 9)),
            ],
        )
    assert len(e.value.fields["promises"]) == 2


def test_a_record_from_a_booking_marks_it_received(world, leader, register, publish):
    p = register().petition
    s = publish()
    a = appointment_book_desk(actor=world.clerk, session_id=s.pk, tracking_code=p.tracking_code)
    _write(world, leader, p, session_id=s.pk, appointment_code=a.appointment.code)
    assert Appointment.objects.get().status == AppointmentStatus.RECEIVED


def test_the_leader_takes_charge_and_the_board_shows_the_petition_and_its_promises(
    world, leader, register
):
    p = register().petition
    r = _write(world, leader, p)
    leader_take_charge(actor=world.city_head, petition_id=p.pk, leader_id=leader.pk)
    p.refresh_from_db()
    assert p.leader_case and p.leader_in_charge == "王县长"
    assert p.events.filter(action="flag").exists()
    assert list(board_petitions(user=leader)) == [p]
    assert [x.record_id for x in board_promises(user=leader)] == [r.pk]
    with pytest.raises(ApplicationError):  # a registrar may not record 包案 (the flag's rule)
        leader_take_charge(actor=world.clerk, petition_id=p.pk, leader_id=leader.pk)


def test_a_promise_is_kept_by_its_owner(world, leader, register):
    r = _write(world, leader, register().petition)
    t = r.promises.get()
    with pytest.raises(ApplicationError):
        promise_done(actor=world.clerk, promise_id=t.pk, note="", on=date(2025, 9, 1))
    promise_done(actor=world.clerk, promise_id=t.pk, note="已核查并答复", on=date(2025, 9, 1))
    t.refresh_from_db()
    assert t.status == "done" and not list(board_promises(user=world.clerk))


def test_the_accused_organ_never_records_or_sees_an_accusation(world, leader, register):
    acc = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    with pytest.raises(NotFound):
        _write(world, leader, acc)
    Petition.objects.filter(pk=acc.pk).update(leader_case=True, leader_in_charge="王县长")
    assert not list(board_petitions(user=leader))


def test_the_record_pages_the_board_and_the_timeline(client, world, leader, register):
    p = register().petition
    client.force_login(world.clerk)
    url = f"/reception/records/new/?petition={p.pk}"
    assert client.get(url).status_code == 200
    form = {
        "petition": p.pk,
        "received_by": leader.pk,
        "attendees": "张三",
        "asked": "请求处理油烟",
        "said": "",
        "promise_0": "十日内现场核查",
        "promise_0_owner": world.clerk.pk,
        "promise_0_due": "2025-09-10",
    }
    r = client.post("/reception/records/new/", form)
    assert r.status_code == 400 and "十日内现场核查" in r.content.decode()
    r = client.post("/reception/records/new/", {**form, "said": "当面答复"})
    assert r.status_code == 302
    page = client.get(r.url).content.decode()
    assert "十日内现场核查" in page and "签字" in page
    detail = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "接谈记录" in detail and "十日内现场核查" in detail
    client.force_login(world.city_head)
    rec = ReceptionRecord.objects.get()
    r = client.post(f"/reception/records/{rec.pk}/charge/", {"leader": leader.pk})
    assert r.status_code == 302
    client.force_login(leader)
    board = client.get("/reception/board/").content.decode()
    assert p.title in board and "十日内现场核查" in board
    assert client.get("/reception/records/new/").status_code == 403  # a leader reads only
    client.force_login(world.clerk)
    assert client.get("/reception/records/new/?petition=abc").status_code == 400
    assert client.get("/reception/records/new/").status_code == 400


def test_the_printed_record_and_the_lists_name_people_by_their_display_name(
    client, world, leader, register
):
    """The record is printed for signature: it names the leader, the promise's owner and the
    recorder as the petition timeline does (``str(user)``: the display name), never a login."""
    leader.display_name = "向海强"
    leader.save(update_fields=["display_name"])
    world.clerk.display_name = "李记录"
    world.clerk.save(update_fields=["display_name"])
    rec = _write(world, leader, register().petition)
    client.force_login(world.clerk)
    page = client.get(f"/reception/records/{rec.pk}/").content.decode()
    assert "向海强" in page and "记录人：李记录" in page
    assert leader.username not in page and world.clerk.username not in page
    new = client.get(f"/reception/records/new/?petition={rec.petition_id}").content.decode()
    assert "向海强" in new and leader.username not in new
