"""Appointments: booking on the portal (an existing petition by code and password, or a new
matter registered as a visit), at the desk, the waiting list, cancel and rebook, and the
accused organ never receiving the accusation (Art. 30 para 3)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import local
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.petitions.models import Petition
from xinfang.reception.models import Appointment, AppointmentStatus
from xinfang.reception.services import (
    NewMatter,
    appointment_book_desk,
    appointment_book_portal,
    appointment_cancel,
    appointment_rebook,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
PHONE = "13800000000"


def _existing(reg, session, phone=PHONE):
    return appointment_book_portal(
        session_id=session.pk,
        phone=phone,
        tracking_code=reg.petition.tracking_code,
        password=reg.query_password,
    ).appointment


def test_a_petitioner_books_an_existing_petition_with_its_code(publish, register):
    reg = register()
    a = _existing(reg, publish())
    assert a.status == AppointmentStatus.BOOKED and len(a.code) == 8 and a.petition == reg.petition


def test_a_wrong_password_books_nothing(publish, register):
    reg = register()
    with pytest.raises(ApplicationError) as e:
        appointment_book_portal(
            session_id=publish().pk,
            phone=PHONE,
            tracking_code=reg.petition.tracking_code,
            password="00000000",
        )
    assert "tracking_code" in e.value.fields and not Appointment.objects.exists()


def test_a_phone_is_the_one_thing_asked(publish, register):
    with pytest.raises(ApplicationError) as e:
        appointment_book_portal(
            session_id=publish().pk, phone="12", new=NewMatter("李四", "t", "c")
        )
    assert "phone" in e.value.fields


def test_a_new_matter_is_registered_as_a_visit_at_the_session_organ(publish, world):
    s = publish()
    b = appointment_book_portal(
        session_id=s.pk,
        phone=PHONE,
        new=NewMatter("李四", "小区停车位被占用", "请求依法清理占用消防通道的车辆。"),
    )
    p = Petition.objects.get(pk=b.appointment.petition_id)
    assert p.channel == "visit" and p.current_organ == world.county_po
    assert b.tracking_code == p.tracking_code and len(b.query_password) == 8


def test_a_full_session_puts_the_next_on_the_waiting_list_and_a_cancel_moves_it_up(
    publish, register
):
    s = publish(capacity=2)
    a1 = _existing(register(), s)
    a2 = _existing(register(), s)
    a3 = _existing(register(), s, phone="13900000000")
    assert [a1.status, a2.status, a3.status] == ["booked", "booked", "waiting"]
    appointment_cancel(code=a1.code, phone=PHONE)
    a3.refresh_from_db()
    assert a3.status == AppointmentStatus.BOOKED


def test_one_petition_books_one_session_once(publish, register):
    reg, s = register(), publish()
    _existing(reg, s)
    with pytest.raises(ApplicationError):
        _existing(reg, s)


def test_cancel_needs_the_phone_and_is_refused_after_the_session(publish, register):
    a = _existing(register(), publish(on=date(2025, 9, 2)))
    with pytest.raises(NotFound):
        appointment_cancel(code=a.code, phone="13911111111")
    with time_machine.travel(local(2025, 9, 3), tick=False):
        with pytest.raises(ApplicationError) as e:
            appointment_cancel(code=a.code, phone=PHONE)
    assert e.value.status == 409
    a.refresh_from_db()
    assert a.status == AppointmentStatus.BOOKED


def test_rebook_moves_the_booking_to_another_session(publish, register):
    from datetime import time

    a = _existing(register(), publish())
    other = publish(on=date(2025, 9, 3), starts=time(14, 0), ends=time(16, 0))
    b = appointment_rebook(code=a.code, phone=PHONE, session_id=other.pk)
    a.refresh_from_db()
    assert a.status == "cancelled" and b.session == other and b.status == "booked"


def test_a_clerk_books_at_the_desk_only_a_petition_the_clerk_sees(publish, register, world):
    reg = register()
    s = publish()
    b = appointment_book_desk(
        actor=world.clerk, session_id=s.pk, tracking_code=reg.petition.tracking_code
    )
    assert b.appointment.booked_by == world.clerk
    other = register(organ=world.city_po, actor=world.city_clerk, region_code="990100")
    with pytest.raises(ApplicationError):
        appointment_book_desk(
            actor=world.clerk, session_id=s.pk, tracking_code=other.petition.tracking_code
        )


def test_an_accusation_is_never_booked_with_the_accused_organ(publish, register, world, leader):
    # an accusation against the county government: the county petition office lies below it
    reg = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    )
    s = publish()
    with pytest.raises(ApplicationError) as e:
        _existing(reg, s)
    assert "session" in e.value.fields and not Appointment.objects.exists()


def test_the_portal_booking_flow_on_a_phone(client, publish):
    s = publish()
    r = client.get("/reception/book/")
    assert r.status_code == 200 and "青山县信访局接待大厅" in r.content.decode()
    form = {
        "phone": PHONE,
        "mode": "new",
        "name": "李四",
        "title": "路灯坏了",
        "content": "请求修复路灯。",
        "submission": "0b0e6b9e-8c1a-4d5e-9f00-000000000009",
    }
    r = client.post(f"/reception/book/{s.pk}/", {**form, "title": ""})
    assert r.status_code == 400 and "请求修复路灯。" in r.content.decode()
    r = client.post(f"/reception/book/{s.pk}/", form)
    assert r.status_code == 302, r.content.decode().split("errorsummary")[1][:600]
    again = client.post(f"/reception/book/{s.pk}/", form)  # a refresh books nothing more
    assert again.url == r.url and Appointment.objects.count() == 1
    page = client.get(r.url).content.decode()
    code = Appointment.objects.get().code
    assert code in page and 'id="query-password"' in page
    r = client.post("/reception/book/find/", {"code": code, "phone": PHONE, "action": "cancel"})
    assert r.status_code == 302
    assert Appointment.objects.get().status == "cancelled"
    assert client.get("/reception/book/99999999999/").status_code == 404
    assert client.post("/reception/book/find/", {"code": "x\x00", "phone": "1"}).status_code == 400


def test_the_booking_pages_in_english_have_no_chinese_punctuation_or_status(
    client, publish, settings
):
    """fixb item 1: "：" and "已预约" leaked into the English booking pages."""
    s = publish()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get("/reception/book/").content.decode()
    form = {
        "phone": PHONE,
        "mode": "new",
        "name": "李四",
        "title": "路灯坏了",
        "content": "请求修复路灯。",
        "submission": "0b0e6b9e-8c1a-4d5e-9f00-00000000000a",
    }
    booked = client.get(client.post(f"/reception/book/{s.pk}/", form).url).content.decode()
    code = Appointment.objects.get().code
    found = client.post("/reception/book/find/", {"code": code, "phone": PHONE}).content.decode()
    for page in (listing, booked, found):
        assert 'lang="en"' in page
        assert "：" not in page.replace("路灯坏了", "")
    assert "已预约" not in found and "Booked" in found
