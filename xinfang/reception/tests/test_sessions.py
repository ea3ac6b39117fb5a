"""Reception days (Art. 18): sessions on working days only, a leader never received twice at
once, weekly schedules over the working calendar with holidays and 调休."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.reception.models import ReceptionSession
from xinfang.reception.services import SessionInput, schedule_publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_session_is_published_on_a_working_day(publish, leader):
    s = publish()
    assert s.leader == leader and s.on == date(2025, 9, 2) and not s.cancelled


def test_a_session_on_a_make_up_working_day_is_allowed(publish):
    # 2025-09-28 is a Sunday made a working day for the National Day holiday (调休)
    s = publish(on=date(2025, 9, 28))
    assert s.on.weekday() == 6


def test_a_session_on_a_holiday_is_refused(publish):
    with pytest.raises(ApplicationError) as e:
        publish(on=date(2025, 10, 1))
    assert "on" in e.value.fields and "休息日" in e.value.fields["on"][0]
    with pytest.raises(ApplicationError):
        publish(on=date(2025, 9, 6))  # an ordinary Saturday
    assert not ReceptionSession.objects.exists()


def test_a_leader_double_booked_is_refused(publish):
    publish()
    with pytest.raises(ApplicationError) as e:
        publish(starts=time(11, 0), ends=time(12, 0))
    assert "已有接访安排" in e.value.fields["leader"][0]
    # back to back is no clash
    publish(starts=time(11, 30), ends=time(12, 0))
    assert ReceptionSession.objects.count() == 2


def test_a_cancelled_session_frees_the_leader(publish, world):
    from xinfang.reception.services import session_cancel

    s = publish()
    session_cancel(actor=world.clerk, session_id=s.pk)
    publish()
    assert ReceptionSession.objects.filter(cancelled=False).count() == 1


def test_the_receiving_leader_must_lead_the_organ_or_one_above(publish, world):
    with pytest.raises(ApplicationError) as e:
        publish(leader_id=world.handler.pk)
    assert "leader" in e.value.fields


def test_a_past_date_and_bad_times_are_refused(publish):
    with pytest.raises(ApplicationError) as e:
        publish(on=date(2025, 8, 29), starts=time(12, 0), ends=time(9, 0), capacity=0)
    assert {"on", "ends", "capacity"} <= set(e.value.fields)


def test_an_organ_outside_the_scope_is_not_found(publish, world):
    with pytest.raises(NotFound):
        publish(actor=world.clerk, organ=world.city_po)


def test_a_weekly_schedule_skips_holidays_and_clashes(world, leader, publish):
    publish(on=date(2025, 9, 16), starts=time(10, 0), ends=time(10, 30))  # a clash later on
    done = schedule_publish(
        actor=world.clerk,
        data=SessionInput(
            organ=world.county_po,
            leader_id=leader.pk,
            on=date(2025, 9, 2),
            starts=time(9, 0),
            ends=time(11, 30),
            place="接待大厅",
            capacity=5,
        ),
        weekday=2,  # Wednesdays
        until=date(2025, 10, 15),
    )
    made = [s.on for s in done.sessions]
    assert date(2025, 10, 1) in done.rest_days and date(2025, 10, 1) not in made
    assert date(2025, 10, 8) in done.rest_days  # the National Day week
    assert made == [
        date(2025, 9, 3),
        date(2025, 9, 10),
        date(2025, 9, 17),
        date(2025, 9, 24),
        date(2025, 10, 15),
    ]
    done2 = schedule_publish(
        actor=world.clerk,
        data=SessionInput(
            organ=world.county_po,
            leader_id=leader.pk,
            on=date(2025, 9, 2),
            starts=time(10, 0),
            ends=time(10, 15),
            place="接待大厅",
            capacity=5,
        ),
        weekday=1,
        until=date(2025, 9, 23),
    )
    assert date(2025, 9, 16) in done2.clashes
    assert date(2025, 9, 16) not in [s.on for s in done2.sessions]


def test_the_calendar_shows_the_office_and_the_leader_their_sessions(
    client, publish, world, leader
):
    publish()
    client.force_login(world.clerk)
    r = client.get("/reception/?from=2025-09-01")
    assert r.status_code == 200 and "青山县信访局接待大厅" in r.content.decode()
    client.force_login(leader)
    r = client.get("/reception/?from=2025-09-01&mine=1")
    assert r.status_code == 200 and "青山县信访局接待大厅" in r.content.decode()
    client.force_login(world.analyst)
    assert client.get("/reception/").status_code == 403
    client.force_login(world.handler)  # the housing bureau: not its organ
    r = client.get("/reception/?from=2025-09-01")
    assert r.status_code == 200 and "青山县信访局接待大厅" not in r.content.decode()


def test_bad_calendar_input_is_a_clear_400(client, world):
    client.force_login(world.clerk)
    assert client.get("/reception/?from=2025-13-01").status_code == 400
    assert client.get("/reception/?days=abc").status_code == 400
    assert client.get("/reception/?days=²").status_code == 400  # isdigit(), not int() (revB 3)
    assert client.get("/reception/?days=٣").status_code == 400


def test_the_form_keeps_what_was_typed_on_a_refusal(client, world, leader):
    client.force_login(world.clerk)
    r = client.post(
        "/reception/sessions/new/",
        {
            "organ": world.county_po.pk,
            "leader": leader.pk,
            "on": "2025-10-01",
            "starts": "09:00",
            "ends": "11:00",
            "place": "接待大厅留言",
            "capacity": "3",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "休息日" in body and "接待大厅留言" in body
    r = client.post(
        "/reception/sessions/new/",
        {
            "organ": world.county_po.pk,
            "leader": leader.pk,
            "on": "2025-09-02",
            "starts": "09:00",
            "ends": "11:00",
            "place": "接待大厅",
            "capacity": "3",
            "submission": "0b0e6b9e-8c1a-4d5e-9f00-000000000001",
        },
    )
    assert r.status_code == 302
    again = client.post(
        "/reception/sessions/new/",
        {
            "organ": world.county_po.pk,
            "leader": leader.pk,
            "on": "2025-09-02",
            "starts": "09:00",
            "ends": "11:00",
            "place": "接待大厅",
            "capacity": "3",
            "submission": "0b0e6b9e-8c1a-4d5e-9f00-000000000001",
        },
    )
    assert again.status_code == 302 and again.url == r.url
    assert ReceptionSession.objects.count() == 1


def test_the_calendar_pages_by_date_and_filters_by_organ(
    client, publish, world, leader, monkeypatch
):
    from xinfang.reception.selectors import sessions as reads

    monkeypatch.setattr(reads, "CALENDAR_PAGE", 2)
    for day, place in ((2, "甲室"), (3, "乙室"), (4, "丙室")):
        publish(on=date(2025, 9, day), place=place)
    client.force_login(world.clerk)
    first = client.get("/reception/?from=2025-09-01").content.decode()
    assert "甲室" in first and "乙室" in first and "丙室" not in first
    more = re.search(r'href="\?([^"]+)" rel="next"', first)
    assert more, "a full page links to the next"
    second = client.get("/reception/?" + more.group(1).replace("&amp;", "&")).content.decode()
    assert "丙室" in second and "甲室" not in second and 'rel="next"' not in second
    # one organ's sessions only; another organ (not the county office's) shows none of them
    assert (
        "甲室"
        in client.get(f"/reception/?from=2025-09-01&organ={world.county_po.pk}").content.decode()
    )
    other = client.get(f"/reception/?from=2025-09-01&organ={world.county_gov.pk}").content.decode()
    assert "甲室" not in other
    assert client.get("/reception/?from=2025-09-01&after=2025-09-02_09:00:00_x").status_code == 400
    assert client.get("/reception/?after=nonsense").status_code == 400
    assert client.get("/reception/?organ=%00").status_code == 400


def test_a_leaders_calendar_never_lists_another_scope(client, publish, world, leader):
    publish()
    client.force_login(world.handler)  # the housing bureau: not its organ, not its leader
    r = client.get(f"/reception/?from=2025-09-01&organ={world.county_po.pk}")
    assert r.status_code == 200 and "青山县信访局接待大厅" not in r.content.decode()


def test_a_session_page_never_prints_the_leaders_login_name(client, publish, world, leader):
    """walker #8: a leader with no name was shown by login name; now the name or （未填姓名）."""
    from django.urls import reverse

    s = publish()
    client.force_login(world.clerk)
    page = client.get(reverse("reception:session", args=[s.pk])).content.decode()
    assert "王县长" in page and "leaderwang" not in page
    leader.first_name = ""
    leader.save(update_fields=["first_name"])
    page = client.get(reverse("reception:session", args=[s.pk])).content.decode()
    assert "（未填姓名）" in page and "leaderwang" not in page


def test_a_capacity_of_twenty_digits_is_refused_at_its_field_keeping_the_form(
    client, world, leader
):
    """walker #5 (stop 29): 99999999999999999999 gave the bare "参数有误：capacity" page and
    lost everything typed; it is the field's own message now, the form kept."""
    client.force_login(world.clerk)
    r = client.post(
        "/reception/sessions/new/",
        {
            "organ": world.county_po.pk,
            "leader": leader.pk,
            "on": "2025-09-02",
            "starts": "09:00",
            "ends": "11:00",
            "place": "第二接待室",
            "capacity": "99999999999999999999",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert (
        "可接待人数应在 1 到" in body
        and "第二接待室" in body
        and "capacity" not in body.split("<form")[0]
    )
    assert ReceptionSession.objects.count() == 0


def test_the_calendar_names_the_kind_of_reception_in_the_readers_language(client, publish, world):
    """walker2 (stop 29): the calendar's 接访方式 column printed 联合接访 on English pages."""
    from django.conf import settings

    from xinfang.reception.models import SessionKind

    publish(kind=SessionKind.JOINT)
    client.force_login(world.clerk)
    assert "联合接访" in client.get("/reception/?from=2025-09-01").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/reception/?from=2025-09-01").content.decode()
    assert "联合接访" not in body
