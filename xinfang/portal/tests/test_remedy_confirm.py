"""The portal's review and re-review requests have a confirmation step (issue 12, item 13): the
status page's form leads to a page that says in plain words what the request does, who decides
and by when; nothing is sent until the petitioner confirms there, and the reason typed is kept.
The request sits below the documents on the status page.

Planted fault (watched failing, then restored): the ``confirm`` check taken out of
``portal.views._remedy`` - the first test then finds the petition already under review."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from conftest import local
from tests.flows import opinion_delivered, portal_open, review_decided

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def delivered(world, register):  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2025, 8, 26), tick=False):
        return opinion_delivered(world, register)


def test_a_review_request_is_sent_only_after_the_confirmation_step(client, world, delivered):
    p = delivered
    with time_machine.travel(local(2025, 9, 1, 10), tick=False):
        portal_open(client, p)
        status = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
        assert status.index('id="docs-title"') < status.index('id="review"')  # below the documents
        r = client.post(f"/portal/p/{p.tracking_code}/review/", {"reason": "监测时间不在营业高峰"})
        html = r.content.decode()
        assert r.status_code == 200 and "确认申请复查" in html
        assert "青山县人民政府" in html and "30 日内" in html and "第三十五条" in html
        assert "监测时间不在营业高峰" in html and 'name="confirm" value="1"' in html
        p.refresh_from_db()
        assert p.state == "opinion_issued"  # nothing sent yet
        r = client.post(
            f"/portal/p/{p.tracking_code}/review/",
            {"reason": "监测时间不在营业高峰", "confirm": "1"},
        )
        assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "review_requested"
    ev = p.events.get(action="request_review")
    assert ev.reason == "监测时间不在营业高峰"


def test_a_re_review_request_explains_that_it_is_the_last_step(client, world, delivered):
    from tests.flows import act

    p = delivered
    with time_machine.travel(local(2025, 9, 10, 18), tick=False):
        act(world, p, "request_review", world.city_head, (2025, 9, 5))
        review_decided(world, p)
    with time_machine.travel(local(2025, 9, 12, 10), tick=False):
        portal_open(client, p)
        html = client.post(
            f"/portal/p/{p.tracking_code}/re-review/", {"reason": ""}
        ).content.decode()
        assert "确认申请复核" in html and "第三十六条第三款" in html
    p.refresh_from_db()
    assert p.state == "review_decided"


def test_the_confirmation_step_is_only_for_the_petitioner_who_opened_it(client, delivered):
    r = client.post(f"/portal/p/{delivered.tracking_code}/review/", {"reason": "x"})
    assert r.status_code in (302, 403, 404)
    assert "确认申请复查" not in r.content.decode()


@pytest.mark.parametrize("step", ["review", "re-review"])
def test_opening_the_request_address_leads_back_to_the_status_page(client, delivered, step):
    """A reopened tab, a saved link or the back button: a GET of the request's address was a
    bare 405 the browser showed as its own error page (page walk); it leads back to the
    status page, where the request form is, and sends nothing."""
    p = delivered
    with time_machine.travel(local(2025, 9, 1, 10), tick=False):
        portal_open(client, p)
        r = client.get(f"/portal/p/{p.tracking_code}/{step}/")
        assert r.status_code == 302 and r["Location"].endswith(f"/portal/p/{p.tracking_code}/")
    p.refresh_from_db()
    assert p.state == "opinion_issued"
