"""Notifications: the day-before reminder once, only to a petitioner who chose it; promises due
soon to their owner; nobody but the petitioner and staff of the handling organs; the e-mail
backend through Django's mail and the SMS backend against a gateway on a loopback port."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import local
from xinfang.reception.notify import (
    EmailBackend,
    NotAllowed,
    Recipient,
    SmsGatewayBackend,
    notify,
)
from xinfang.reception.services import (
    PromiseInput,
    appointment_book_portal,
    record_write,
)
from xinfang.reception.services.reminders import reminders_send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


class Fake:
    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, str, str]] = []

    def send(self, *, to, subject, text):  # type: ignore[no-untyped-def]
        self.sent.append((to, subject, text))


def _book(register, publish, *, notify_me=True):  # type: ignore[no-untyped-def]
    reg = register()
    return appointment_book_portal(
        session_id=publish(on=date(2025, 9, 2)).pk,
        phone="13800000000",
        tracking_code=reg.petition.tracking_code,
        password=reg.query_password,
        notify=notify_me,
    ).appointment


def test_the_day_before_reminder_goes_once_to_the_petitioner(register, publish):
    a = _book(register, publish)
    fake = Fake()
    assert reminders_send(now=local(2025, 8, 31), via=fake)["petitioners"] == 0  # two days before
    assert reminders_send(now=local(2025, 9, 1), via=fake)["petitioners"] == 1
    assert reminders_send(now=local(2025, 9, 1, 11), via=fake)["petitioners"] == 0  # once
    to, _subject, text = fake.sent[0]
    assert to.kind == "petitioner" and to.phone == "13800000000" and a.code in text


def test_each_reminder_is_marked_with_the_time_it_was_sent(world, leader, register):
    """A gateway that takes minutes over a batch: each promise's reminder is marked when it
    went, not when the job began (``reminded_at``: a reminder sent at 10:05 shows 10:05).
    Planted fault: ``reminded_at=now`` - both marked 10:00."""
    import time_machine

    p = register().petition
    record_write(
        actor=world.clerk,
        petition_id=p.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="诉求",
        said="答复",
        promises=[
            PromiseInput("现场核查", world.clerk.pk, date(2025, 9, 2)),
            PromiseInput("书面答复", world.clerk.pk, date(2025, 9, 2)),
        ],
    )
    with time_machine.travel(local(2025, 9, 1, 10), tick=False) as t:

        class Slow(Fake):
            def send(self, *, to, subject, text):  # type: ignore[no-untyped-def]
                super().send(to=to, subject=subject, text=text)
                t.shift(300)  # the gateway takes five minutes

        assert reminders_send(now=local(2025, 9, 1, 10), via=Slow())["staff"] == 2
    from xinfang.reception.models import Promise

    marked = sorted(Promise.objects.values_list("reminded_at", flat=True))
    assert marked == [local(2025, 9, 1, 10), local(2025, 9, 1, 10) + timedelta(minutes=5)]


def test_no_reminder_for_a_petitioner_who_did_not_choose_it(register, publish):
    _book(register, publish, notify_me=False)
    fake = Fake()
    reminders_send(now=local(2025, 9, 1), via=fake)
    assert fake.sent == []


def test_a_promise_due_soon_reminds_its_owner(world, leader, register):
    p = register().petition
    record_write(
        actor=world.clerk,
        petition_id=p.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="诉求",
        said="答复",
        promises=[PromiseInput("现场核查", world.clerk.pk, date(2025, 9, 2))],
    )
    fake = Fake()
    assert reminders_send(now=local(2025, 9, 1), via=fake)["staff"] == 1
    assert fake.sent[0][0].user_id == world.clerk.pk


def test_nobody_else_is_ever_notified(world, register):
    p = register().petition  # with the county office
    fake = Fake()
    with pytest.raises(NotAllowed):
        notify(
            petition=p,
            to=Recipient("staff", user_id=world.handler.pk),
            subject="s",
            text="t",
            via=fake,
        )
    with pytest.raises(NotAllowed):
        notify(
            petition=p,
            to=Recipient("petitioner", phone="13999999999"),
            subject="s",
            text="t",
            via=fake,
        )
    with pytest.raises(NotAllowed):
        notify(
            petition=p, to=Recipient("public", phone="13800000000"), subject="s", text="t", via=fake
        )
    notify(
        petition=p, to=Recipient("staff", user_id=world.clerk.pk), subject="s", text="t", via=fake
    )
    assert len(fake.sent) == 1


def test_the_email_backend_sends_through_django_mail(mailoutbox):
    EmailBackend().send(
        to=Recipient("staff", email="clerk@example.org"), subject="提醒", text="正文"
    )
    assert mailoutbox[0].to == ["clerk@example.org"] and mailoutbox[0].subject == "提醒"


def test_the_sms_backend_posts_to_the_gateway():
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.handle_request)
    t.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/send"
        SmsGatewayBackend(url).send(
            to=Recipient("petitioner", phone="13800000000"), subject="接访提醒", text="明天九点"
        )
        t.join(5)
    finally:
        server.server_close()
    assert got == [{"phone": "13800000000", "text": "接访提醒：明天九点"}]
