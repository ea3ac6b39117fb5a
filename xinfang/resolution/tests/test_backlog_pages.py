"""The backlog pages: the board, a case from proposal to close-out by forms, a refresh adds
nothing, a refused form keeps what was typed, bad input is a 4xx, who may act."""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.resolution.models import BacklogCase, BacklogMilestone, BacklogProgress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def case(held):
    from xinfang.resolution.models import BacklogCriterion
    from xinfang.resolution.services import backlog_propose_due

    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=90)
    backlog_propose_due(now=local(2025, 12, 1))
    return BacklogCase.objects.get(petition=held)


def _act(client, case, action, **data):
    return client.post(f"/resolution/backlog/{case.pk}/{action}/", data)


def test_a_case_goes_from_proposal_to_close_out_by_its_forms(client, world, held, case):
    client.force_login(world.clerk)
    html = client.get("/resolution/backlog/").content.decode()
    assert f"/resolution/backlog/{case.pk}/" in html and "待确认" in html
    html = client.get(f"/resolution/backlog/{case.pk}/").content.decode()
    assert "91" in html and held.tracking_code in html
    r = _act(client, case, "decide", decision="confirm", leader="王副县长", once="k1")
    assert r.status_code in (302, 303) and r["Location"] == f"/resolution/backlog/{case.pk}/"
    client.force_login(world.head)
    assert _act(client, case, "plan", plan="核实并协调", once="k2").status_code in (302, 303)
    for _ in range(2):  # a refresh adds nothing
        r = _act(client, case, "milestone", title="完成核实", due_on="2025-08-30", once="k3")
        assert r.status_code in (302, 303)
    assert BacklogMilestone.objects.count() == 1
    html = client.get(f"/resolution/backlog/{case.pk}/").content.decode()
    assert 'class="overdue"' in html and "已逾期" in html  # due before today, not done
    assert "1 个逾期" in client.get("/resolution/backlog/").content.decode()
    m = BacklogMilestone.objects.get()
    assert _act(client, case, "milestone_done", milestone=str(m.pk), once="k4").status_code in (
        302,
        303,
    )
    for _ in range(2):
        assert _act(client, case, "progress", note="已约见", once="k5").status_code in (302, 303)
    assert BacklogProgress.objects.count() == 1
    assert _act(client, case, "close", outcome="已化解", once="k6").status_code in (302, 303)
    case.refresh_from_db()
    held.refresh_from_db()
    assert case.status == "closed" and not held.backlog
    assert "已化解" in client.get(f"/resolution/backlog/{case.pk}/").content.decode()


def test_a_refused_form_keeps_what_was_typed(client, world, case):
    client.force_login(world.clerk)
    r = _act(client, case, "decide", decision="confirm", note="保留这段说明", once="x1")
    html = r.content.decode()
    assert r.status_code == 400 and "请写明包案领导" in html and "保留这段说明" in html
    assert BacklogCase.objects.get().status == "proposed"


@pytest.mark.parametrize(
    "action, data",
    [
        ("decide", {"decision": "maybe"}),
        ("milestone", {"title": "x", "due_on": "2025-13-45"}),
        ("milestone_done", {"milestone": "abc"}),
        ("nosuch", {}),
    ],
)
def test_bad_input_is_a_4xx(client, world, case, action, data):
    client.force_login(world.clerk)
    assert 400 <= _act(client, case, action, **data).status_code < 500
    assert 400 <= client.get("/resolution/backlog/?status=zzz").status_code < 500
    assert 400 <= client.get("/resolution/backlog/?cursor=x%00").status_code < 500


def test_a_reader_sees_the_case_but_has_no_forms_and_may_not_post(client, world, case):
    client.force_login(world.handler)
    html = client.get(f"/resolution/backlog/{case.pk}/").content.decode()
    assert "确认列为积案" not in html
    assert _act(client, case, "decide", decision="confirm", leader="x").status_code == 403
    client.force_login(world.analyst)
    assert client.get("/resolution/backlog/").status_code == 403


def test_the_backlog_pages_are_in_english_with_the_language_cookie(client, world, case, settings):
    client.force_login(world.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/resolution/backlog/").content.decode()
    assert "By responsible organ and progress" in html and "To confirm" in html
    html = client.get(f"/resolution/backlog/{case.pk}/").content.decode()
    assert "Confirm as backlog case" in html and "Leader in charge (required to confirm)" in html
