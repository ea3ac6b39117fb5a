"""The one-stop hall (一站式接待大厅, Art. 18 para 3): on the session's day a booked petitioner
arrives (签到), is called in (叫号) and, once the record is written, counts as received; the hall
shows the day's sessions organ by organ with who is expected, waiting and being received."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.reception.models import Appointment
from xinfang.reception.services import (
    appointment_arrive,
    appointment_book_desk,
    appointment_call,
    record_write,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # today: 2025-09-01


@pytest.fixture
def booked(world, register, publish):
    s = publish(on=date(2025, 9, 1), capacity=5)
    p = register().petition
    b = appointment_book_desk(actor=world.clerk, session_id=s.pk, tracking_code=p.tracking_code)
    return b.appointment


def test_a_petitioner_arrives_is_called_in_and_is_received(world, leader, booked):
    with pytest.raises(ApplicationError) as e:  # called in before arriving: refused
        appointment_call(actor=world.clerk, appointment_id=booked.pk)
    assert e.value.status == 409
    a = appointment_arrive(actor=world.clerk, appointment_id=booked.pk)
    first = a.arrived_at
    a = appointment_arrive(actor=world.clerk, appointment_id=booked.pk)  # again: no change
    assert a.arrived_at == first
    a = appointment_call(actor=world.clerk, appointment_id=booked.pk)
    assert a.called_at is not None and a.status == "booked"
    record_write(
        actor=world.clerk,
        petition_id=a.petition_id,
        received_by_id=leader.pk,
        attendees="张三",
        asked="处理油烟",
        said="当面答复",
        session_id=a.session_id,
        appointment_code=a.code,
    )
    with pytest.raises(ApplicationError):  # received: no longer in the hall's queue
        appointment_arrive(actor=world.clerk, appointment_id=booked.pk)


def test_only_on_the_day_and_only_by_the_sessions_organ(world, register, publish):
    s = publish(on=date(2025, 9, 2))
    p = register().petition
    a = appointment_book_desk(
        actor=world.clerk, session_id=s.pk, tracking_code=p.tracking_code
    ).appointment
    with pytest.raises(ApplicationError) as e:
        appointment_arrive(actor=world.clerk, appointment_id=a.pk)
    assert e.value.status == 409 and Appointment.objects.get().arrived_at is None
    with pytest.raises(NotFound):  # the housing bureau's handler: not its session
        appointment_arrive(actor=world.handler, appointment_id=a.pk)


def test_the_hall_page_shows_who_waits_and_who_is_received(client, world, booked):
    client.force_login(world.clerk)
    body = client.get("/reception/hall/").content.decode()
    assert "青山县信访局" in body and booked.code in body and "未到" in body
    assert "签到" in body and "once" in body  # the form carries its one-time token
    r = client.post(f"/reception/hall/{booked.pk}/arrive/", {"once": "tok-hall-1"})
    assert r.status_code == 302
    again = client.post(f"/reception/hall/{booked.pk}/arrive/", {"once": "tok-hall-1"})
    assert again.status_code == 303  # the refresh is answered (once_forms), nothing twice
    body = client.get("/reception/hall/").content.decode()
    assert "候谈" in body and "叫号" in body
    client.post(f"/reception/hall/{booked.pk}/call/", {"once": "tok-hall-2"})
    body = client.get("/reception/hall/").content.decode()
    assert "接谈中" in body and "写接谈记录" in body
    # another day: the list without the buttons
    body = client.get("/reception/hall/?day=2025-09-02").content.decode()
    assert booked.code not in body
    assert client.get("/reception/hall/?day=2025-02-30").status_code == 400
    assert client.post(f"/reception/hall/{booked.pk}/leave/").status_code == 404
    client.force_login(world.analyst)
    assert client.get("/reception/hall/").status_code == 403


def test_a_step_refused_on_the_hall_is_a_message_not_an_error(client, world, booked):
    client.force_login(world.clerk)
    r = client.post(f"/reception/hall/{booked.pk}/call/", {"once": "tok-hall-3"}, follow=True)
    assert r.status_code == 200 and "请先签到" in r.content.decode()


def test_the_hall_runs_the_same_queries_with_more_bookings(client, world, register, booked):
    client.force_login(world.clerk)
    client.get("/reception/hall/")
    with CaptureQueriesContext(connection) as few:
        client.get("/reception/hall/")
    for _ in range(3):
        appointment_book_desk(
            actor=world.clerk,
            session_id=booked.session_id,
            tracking_code=register().petition.tracking_code,
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/reception/hall/")
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
