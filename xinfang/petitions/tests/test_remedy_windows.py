"""The petitioner's remedy windows on their last day and on the day after, through the service
and through the portal (Arts. 35, 36), and the extension allowed once (Art. 34).

Issue 10 found that disabling the lateness check of the re-review request survived the whole
suite, and that extension-once was caught only because the second extension took the total past
30 days. Each test here fails when its rule is deleted (see the calendar note of issue 10).

The flows (tests/flows.py): the opinion is delivered on Mon 2025-08-25, so the review window (T7,
30 days) ends on Wed 2025-09-24; the review opinion is delivered on Wed 2025-09-10, so the
re-review window (T9) ends on Fri 2025-10-10 (day 30; the National Day break ended on 8 October).
"""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from conftest import local
from tests.flows import act, opinion_delivered, portal_open, review_decided
from xinfang.core.errors import ApplicationError
from xinfang.deadlines.models import Deadline

pytestmark = pytest.mark.django_db

T7_LAST = (2025, 9, 24)
T7_AFTER = (2025, 9, 25)
T9_LAST = (2025, 10, 10)
T9_AFTER = (2025, 10, 11)


def _window(p, code):  # type: ignore[no-untyped-def]
    return Deadline.objects.filter(petition=p, code=code).order_by("-start_date").first()


@pytest.fixture
def delivered(world, register):  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2025, 8, 26), tick=False):
        p = opinion_delivered(world, register)
    assert _window(p, "T7").due_date.timetuple()[:3] == T7_LAST
    return p


@pytest.fixture
def reviewed(world, delivered):  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2025, 9, 10, 18), tick=False):
        act(world, delivered, "request_review", world.city_head, (2025, 9, 5))
        review_decided(world, delivered)
    assert _window(delivered, "T9").due_date.timetuple()[:3] == T9_LAST
    return delivered


# --- through the service --------------------------------------------------------------------


def test_a_review_requested_on_the_last_day_of_the_thirty_is_accepted_art_35(world, delivered):
    with time_machine.travel(local(*T7_LAST, 20), tick=False):
        act(world, delivered, "request_review", world.city_head, T7_LAST)
    delivered.refresh_from_db()
    assert delivered.state == "review_requested"
    assert _window(delivered, "T7").outcome == "met"


def test_a_review_requested_the_day_after_the_thirty_is_refused_art_35(world, delivered):
    with time_machine.travel(local(*T7_AFTER), tick=False), pytest.raises(ApplicationError) as e:
        act(world, delivered, "request_review", world.city_head, T7_AFTER)
    assert (
        "复查申请应在收到处理意见书之日起三十日内提出，已于 2025-09-24 届满"
        in e.value.fields["at"][0]
    )
    delivered.refresh_from_db()
    assert delivered.state == "opinion_issued"


def test_a_re_review_requested_on_the_last_day_of_the_thirty_is_accepted_art_36(world, reviewed):
    with time_machine.travel(local(*T9_LAST, 20), tick=False):
        act(world, reviewed, "request_re_review", world.prov_head, T9_LAST)
    reviewed.refresh_from_db()
    assert reviewed.state == "re_review_requested"
    assert _window(reviewed, "T9").outcome == "met"


def test_a_re_review_requested_the_day_after_the_thirty_is_refused_art_36(world, reviewed):
    with time_machine.travel(local(*T9_AFTER), tick=False), pytest.raises(ApplicationError) as e:
        act(world, reviewed, "request_re_review", world.prov_head, T9_AFTER)
    assert (
        "复核申请应在收到复查意见之日起三十日内提出，已于 2025-10-10 届满"
        in e.value.fields["at"][0]
    )
    reviewed.refresh_from_db()
    assert reviewed.state == "review_decided"


# --- through the portal ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("day", "accepted"), [(T7_LAST, True), (T7_AFTER, False)], ids=["last-day", "day-after"]
)
def test_the_portal_takes_a_review_request_on_the_last_day_and_refuses_it_the_day_after(
    client, world, delivered, day, accepted
):
    with time_machine.travel(local(*day, 21), tick=False):
        portal_open(client, delivered)
        html = client.get(f"/portal/p/{delivered.tracking_code}/").content.decode()
        assert ("申请复查" in html) is accepted  # offered exactly while the window is open
        r = client.post(
            f"/portal/p/{delivered.tracking_code}/review/",
            {"reason": "不服", "confirm": "1"},
            follow=True,
        )
    delivered.refresh_from_db()
    assert delivered.state == ("review_requested" if accepted else "opinion_issued")
    assert ("三十日内提出" in r.content.decode()) is not accepted


@pytest.mark.parametrize(
    ("day", "accepted"), [(T9_LAST, True), (T9_AFTER, False)], ids=["last-day", "day-after"]
)
def test_the_portal_takes_a_re_review_request_on_the_last_day_and_refuses_it_the_day_after(
    client, world, reviewed, day, accepted
):
    with time_machine.travel(local(*day, 21), tick=False):
        portal_open(client, reviewed)
        html = client.get(f"/portal/p/{reviewed.tracking_code}/").content.decode()
        assert ("申请复核" in html) is accepted
        r = client.post(
            f"/portal/p/{reviewed.tracking_code}/re-review/",
            {"reason": "", "confirm": "1"},
            follow=True,
        )
    reviewed.refresh_from_db()
    assert reviewed.state == ("re_review_requested" if accepted else "review_decided")
    assert ("三十日内提出" in r.content.decode()) is not accepted


# --- the extension, once (Art. 34) ----------------------------------------------------------


def test_a_second_extension_is_refused_for_being_a_second_one_even_within_thirty_days_art_34(
    world, register
):
    with time_machine.travel(local(2025, 8, 20), tick=False):
        p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
        act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
        act(world, p, "start_handling", world.head, (2025, 8, 5))
        act(world, p, "extend", world.head, (2025, 8, 10), "需要委托监测", days=10)
        with pytest.raises(ApplicationError) as e:
            act(world, p, "extend", world.head, (2025, 8, 12), "还需补充材料", days=5)
    assert e.value.code == "guard_refused"
    assert e.value.message == "办理期限只能延长一次（第三十四条）"
    t6 = _window(p, "T6")
    assert (t6.extension_days, p.events.filter(action="extend").count()) == (10, 1)
