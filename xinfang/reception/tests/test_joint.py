"""Joint handling (Art. 18 para 3): assisting due dates never past the statutory limit, each
assisting organ replies in writing, the lead organ's head signs the one answer after every
reply; the accused organ never assists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.reception.models import JointHandling
from xinfang.reception.services import (
    TaskInput,
    joint_reply,
    joint_sign,
    joint_start,
    statutory_limit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def petition(register):
    return register(received_at=local(2025, 9, 1)).petition


def test_an_assisting_due_date_past_the_statutory_limit_is_refused(world, petition):
    limit = statutory_limit(petition.pk)
    assert limit is not None
    with pytest.raises(ApplicationError) as e:
        joint_start(
            actor=world.clerk,
            petition_id=petition.pk,
            tasks=[TaskInput(world.housing.pk, "核查油烟", limit + timedelta(days=1))],
        )
    assert str(limit) in e.value.fields["tasks"][0]
    assert not JointHandling.objects.exists()
    j = joint_start(
        actor=world.clerk,
        petition_id=petition.pk,
        tasks=[TaskInput(world.housing.pk, "核查油烟", limit)],
    )
    petition.refresh_from_db()
    assert j.limit == limit and petition.joint_handling
    assert petition.events.filter(action="flag").exists()


def test_the_accused_organ_never_assists(world, register):
    acc = register(
        category="accusation",
        route=None,
        accused_organ_id=world.housing.pk,
        received_at=local(2025, 9, 1),
    ).petition
    with pytest.raises(ApplicationError) as e:
        joint_start(
            actor=world.clerk,
            petition_id=acc.pk,
            tasks=[TaskInput(world.housing.pk, "核查", statutory_limit(acc.pk))],
        )
    assert "被检举控告" in e.value.fields["tasks"][0]


def test_the_joint_page_never_offers_the_accused_organ(client, world, register):
    """The organ picker (issue 12, item 10) leaves out the accused organ and the lead organ.
    Planted fault (watched failing, then restored): the accused-organ exclusion taken out of
    ``reception.views.joint.joint_new``."""
    acc = register(
        category="accusation",
        route=None,
        accused_organ_id=world.housing.pk,
        received_at=local(2025, 9, 1),
    ).petition
    client.force_login(world.clerk)
    html = client.get(f"/reception/joint/new/?petition={acc.pk}").content.decode()
    assert "data-organ-picker" in html and "<optgroup" in html
    assert world.court.name in html
    assert f'<option value="{world.housing.pk}"' not in html
    assert f'<option value="{world.county_po.pk}"' not in html


def test_two_replies_then_the_lead_head_signs_the_one_answer(world, petition):
    from datetime import date

    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    court_head = staff_create(
        username="courthead", password="test-pass-123", organ=world.court, roles=[Role.ORGAN_HEAD]
    )
    limit = statutory_limit(petition.pk)
    j = joint_start(
        actor=world.clerk,
        petition_id=petition.pk,
        tasks=[
            TaskInput(world.housing.pk, "核查油烟", limit),
            TaskInput(world.court.pk, "说明诉讼途径", limit),
        ],
    )
    housing_task, court_task = (j.tasks.get(organ=world.housing), j.tasks.get(organ=world.court))
    with pytest.raises(NotFound):  # only the assisting organ replies to its own task
        joint_reply(actor=world.head, task_id=court_task.pk, reply="x", on=date(2025, 9, 1))
    joint_reply(actor=world.head, task_id=housing_task.pk, reply="已核查", on=date(2025, 9, 1))
    with pytest.raises(ApplicationError) as e:
        joint_sign(actor=world.po_head, joint_id=j.pk, answer="统一答复")
    assert e.value.status == 409
    joint_reply(actor=court_head, task_id=court_task.pk, reply="可以起诉", on=date(2025, 9, 1))
    with pytest.raises(Forbidden):
        joint_sign(actor=world.clerk, joint_id=j.pk, answer="统一答复")
    j = joint_sign(actor=world.po_head, joint_id=j.pk, answer="经联合办理，答复如下")
    assert j.signed_by == world.po_head and j.answer.startswith("经联合办理")
    with pytest.raises(ApplicationError):
        joint_reply(actor=world.head, task_id=housing_task.pk, reply="改", on=date(2025, 9, 1))


def test_the_joint_pages_from_assignment_to_the_signed_answer(client, world, petition):
    limit = statutory_limit(petition.pk).isoformat()
    client.force_login(world.clerk)
    url = f"/reception/joint/new/?petition={petition.pk}"
    assert client.get(url).status_code == 200
    form = {"petition": petition.pk, "organ_0": world.housing.pk, "task_0": "核查油烟"}
    r = client.post("/reception/joint/new/", {**form, "due_0": "2030-01-01"})
    assert r.status_code == 400 and "核查油烟" in r.content.decode()
    r = client.post("/reception/joint/new/", {**form, "due_0": limit})
    assert r.status_code == 302
    j = JointHandling.objects.get()
    client.force_login(world.head)  # the assisting housing bureau
    assert "核查油烟" in client.get("/reception/joint/").content.decode()
    task = j.tasks.get()
    r = client.post(
        f"/reception/joint/{j.pk}/reply/", {"task": task.pk, "reply": "已核查", "on": "2025-09-01"}
    )
    assert r.status_code == 302
    client.force_login(world.po_head)
    assert "已核查" in client.get(f"/reception/joint/{j.pk}/").content.decode()
    r = client.post(f"/reception/joint/{j.pk}/sign/", {"answer": "经联合办理，答复如下"})
    assert r.status_code == 302
    assert "经联合办理" in client.get(f"/reception/joint/{j.pk}/").content.decode()
    client.force_login(world.analyst)
    assert client.get(f"/reception/joint/{j.pk}/").status_code == 403
    client.force_login(world.city_clerk)  # neither the lead's side in scope nor assisting
    assert client.get("/reception/joint/new/?petition=x").status_code == 400


def test_the_joint_form_says_when_its_organ_list_is_cut(client, world, petition, monkeypatch):
    """Never cut silently (issue 12, item 10): past the cap the form says how many there are."""
    import xinfang.reception.views.joint as views

    client.force_login(world.clerk)
    url = f"/reception/joint/new/?petition={petition.pk}"
    assert "机关较多" not in client.get(url).content.decode()
    monkeypatch.setattr(views, "TARGETS_MAX", 2)
    html = client.get(url).content.decode()
    assert "机关较多" in html and "排在前面的 2 个" in html
    assert html.count("<option value=") == views.ROWS * (2 + 1)  # each picker: "—" and two organs
