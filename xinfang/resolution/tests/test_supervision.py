"""Supervision notices (Art. 40): issue, number, flag, reply on time or late, refusals."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_notice_is_numbered_by_the_office_and_flags_the_petition_supervised(world, held, issue):
    from xinfang.petitions.models import PetitionEvent

    n = issue()
    assert n.number == "青山信督〔2025〕1号"
    assert n.issued_on == date(2025, 9, 1)
    assert n.reply_due == date(2025, 10, 1)  # 30 days by default
    assert list(n.petitions.all()) == [held]
    held.refresh_from_db()
    assert held.supervised
    ev = PetitionEvent.objects.filter(petition=held, action="flag").last()
    assert ev.data["flag"] == "supervised" and ev.data.get("reason", n.number)
    # the second notice of the year is number 2; a petition already supervised stays so
    assert issue().number == "青山信督〔2025〕2号"


def test_the_reply_period_is_a_setting(settings, issue):
    settings.XINFANG_SUPERVISION_REPLY_DAYS = 15
    assert issue().reply_due == date(2025, 9, 16)


def test_a_repeated_form_issues_one_notice(issue):
    from xinfang.resolution.models import SupervisionNotice

    key = "0b9a1f7e-6c1e-4d3a-9d57-1a2b3c4d5e6f"
    assert issue(submission=key).pk == issue(submission=key).pk
    assert SupervisionNotice.objects.count() == 1


@pytest.mark.parametrize(
    "over, field",
    [
        ({"reasons": []}, "reasons"),
        ({"reasons": ["rude"]}, "reasons"),
        ({"facts": "  "}, "facts"),
        ({"facts": "a\x00b"}, "facts"),
        ({"petition_ids": []}, "petitions"),
        ({"petition_ids": [987654]}, "petitions"),
        ({"reply_due": date(2025, 9, 1)}, "reply_due"),
    ],
)
def test_bad_notices_are_refused_with_the_field_named(issue, over, field):
    with pytest.raises(ApplicationError) as e:
        issue(**over)
    assert field in e.value.fields


def test_only_a_petition_office_supervises(world, issue):
    with pytest.raises(Forbidden):
        issue(actor=world.head)  # housing's head: not a petition office, no such right


def test_an_organ_outside_the_office_region_cannot_be_supervised(world, issue):
    with pytest.raises(ApplicationError) as e:
        issue(organ=world.city_housing)  # the city bureau is above the county office
    assert "organ" in e.value.fields


def test_an_accusation_is_never_sent_to_the_accused_organ_for_supervision(world, register, issue):
    p = register(category="accusation", route=None, accused_organ_id=world.housing.pk).petition
    with pytest.raises(ApplicationError) as e:
        issue(petition_ids=[p.pk])
    assert "petitions" in e.value.fields


def test_a_reply_on_its_due_day_is_on_time_and_numbered_by_the_organ(world, issue, reply):
    n = issue()
    r = reply(n, "已于9月20日书面告知受理。", (2025, 10, 1))
    assert r.status == "replied" and r.replied_on == date(2025, 10, 1)
    assert not r.late
    assert r.reply_number == "青山信督复〔2025〕1号"
    # a second post changes nothing
    again = reply(n, "另一份", (2025, 10, 2))
    assert again.reply == "已于9月20日书面告知受理。"


def test_a_reply_the_day_after_is_late(issue, reply):
    n = issue()
    r = reply(n, "迟复。", (2025, 10, 2))
    assert r.late


def test_only_the_head_of_the_supervised_organ_replies(world, issue):
    from xinfang.resolution.services import supervision_reply

    n = issue()
    with pytest.raises(Forbidden):
        supervision_reply(actor=world.handler, notice_id=n.pk, reply="x")  # no right to reply
    with pytest.raises(Forbidden):
        supervision_reply(actor=world.po_head, notice_id=n.pk, reply="x")  # the office itself
    with pytest.raises(ApplicationError) as e:
        supervision_reply(actor=world.head, notice_id=n.pk, reply="  ")
    assert "reply" in e.value.fields


def test_a_notice_is_seen_by_the_office_the_organ_and_above_and_by_no_one_else(world, issue):
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.resolution.selectors import notice_get_for_user

    n = issue()
    for u in (world.clerk, world.head, world.handler, world.city_head, world.city_clerk):
        assert notice_get_for_user(user=u, notice_id=n.pk) == n
    other_region = Region.objects.create(
        code="990103", name="西山县", level=Level.COUNTY, parent=world.city
    )
    other_po = organ_create(
        name="西山县信访局",
        kind=OrganKind.PETITION_OFFICE,
        level=Level.COUNTY,
        region=other_region,
        parent=world.city_gov,
    )
    stranger = staff_create(
        username="xishan", password="test-pass-123", organ=other_po, roles=[Role.REGISTRAR]
    )
    for u in (stranger, world.analyst):
        with pytest.raises(NotFound):
            notice_get_for_user(user=u, notice_id=n.pk)


def test_the_written_reply_ends_the_supervised_flag_unless_another_notice_is_open(
    held, issue, reply
):
    from xinfang.petitions.models import PetitionEvent

    first, second = issue(), issue()
    reply(first, "已办理。", (2025, 9, 5))
    held.refresh_from_db()
    assert held.supervised  # the second notice still supervises it
    reply(second, "已办。", (2025, 9, 6))
    held.refresh_from_db()
    assert not held.supervised
    ev = PetitionEvent.objects.filter(petition=held, action="flag").order_by("seq").last()
    assert ev.data["flag"] == "supervised" and ev.data["on"] is False
    second.refresh_from_db()
    assert ev.data["ended_by"] == second.number and ev.reason == second.reply_number
    # a new notice on the same petition supervises it again
    with time_machine.travel(local(2025, 9, 7), tick=False):
        issue(at=local(2025, 9, 7))
    held.refresh_from_db()
    assert held.supervised
