"""The joint conference (meeting, agenda, decision, tasks, written replies, follow-up, closing,
minutes) and policy matters (grouped petitions, each keeping its own procedure and deadline)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from conftest import local
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.prevention.models import AgendaItem, Conference, ConferenceTask, PolicyMatterPetition
from xinfang.prevention.selectors import policy_matter_petitions, tasks_for_organ
from xinfang.prevention.services import (
    agenda_decision_set,
    agenda_item_add,
    conference_record,
    conference_task_assign,
    policy_matter_create,
    policy_matter_link,
    policy_matter_respond,
    task_entry_add,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def meeting(world, town):
    from xinfang.directory.services import staff_create

    c = conference_record(
        actor=world.city_head,  # the county government's head (organ head at 青山县人民政府)
        organ=world.county_gov,
        title="青山县信访工作联席会议第三次全体会议",
        held_on=date(2025, 8, 25),
        member_ids=[world.housing.pk, world.court.pk, town.organ.pk],
        chair="县委副书记",
    )
    housing_clerk = staff_create(
        username="hclerk", password="test-pass-123", organ=world.housing, roles=["registrar"]
    )
    return c, housing_clerk


def test_a_conference_task_is_assigned_replied_followed_up_and_closed(world, town, meeting, record):
    c, housing_clerk = meeting
    item = agenda_item_add(
        actor=world.city_head,
        conference_id=c.pk,
        kind="dispute",
        title="",
        dispute_id=record(kind="resettlement").pk,
    )
    assert item.title.startswith("征地拆迁安置")
    agenda_decision_set(
        actor=world.city_head, item_id=item.pk, decision="由县住建局牵头核实安置面积"
    )
    task = conference_task_assign(
        actor=world.city_head,
        item_id=item.pk,
        organ_id=world.housing.pk,
        description="核实安置面积并书面答复",
        due_on=date(2025, 9, 10),
    )
    assert list(tasks_for_organ(user=housing_clerk)) == [task]
    with pytest.raises(ApplicationError) as e:  # no reply yet
        task_entry_add(
            actor=world.city_head, task_id=task.pk, kind="close", on=date(2025, 8, 30), body="办结"
        )
    assert e.value.status == 409
    task_entry_add(
        actor=housing_clerk,
        task_id=task.pk,
        kind="reply",
        on=date(2025, 8, 28),
        body="已核实，面积无误",
    )
    task.refresh_from_db()
    assert task.status == "replied"
    task_entry_add(
        actor=world.city_head,
        task_id=task.pk,
        kind="follow_up",
        on=date(2025, 8, 29),
        body="请附测量报告",
    )
    task.refresh_from_db()
    assert task.status == "open"
    task_entry_add(
        actor=housing_clerk,
        task_id=task.pk,
        kind="reply",
        on=date(2025, 8, 30),
        body="测量报告已附",
    )
    task_entry_add(
        actor=world.city_head, task_id=task.pk, kind="close", on=date(2025, 8, 31), body="同意办结"
    )
    task.refresh_from_db()
    assert (task.status, task.closed_on, task.entries.count()) == (
        "closed",
        date(2025, 8, 31),
        4,
    )  # the refused close saved nothing
    with pytest.raises(ApplicationError) as e:
        task_entry_add(
            actor=housing_clerk, task_id=task.pk, kind="reply", on=date(2025, 8, 31), body="补充"
        )
    assert e.value.status == 409


def test_only_the_member_given_the_task_replies_and_tasks_go_to_members(world, town, meeting):
    c, housing_clerk = meeting
    item = agenda_item_add(
        actor=world.city_head, conference_id=c.pk, kind="other", title="春节前矛盾纠纷排查"
    )
    with pytest.raises(ApplicationError) as e:
        conference_task_assign(
            actor=world.city_head,
            item_id=item.pk,
            organ_id=world.discipline.pk,
            description="x",
            due_on=date(2025, 9, 1),
        )
    assert "organ" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        conference_task_assign(
            actor=world.city_head,
            item_id=item.pk,
            organ_id=world.court.pk,
            description="x",
            due_on=date(2025, 8, 1),
        )
    assert "due_on" in e.value.fields
    with pytest.raises(NotFound):  # a member organ's clerk is not the convener
        conference_task_assign(
            actor=housing_clerk,
            item_id=item.pk,
            organ_id=world.court.pk,
            description="x",
            due_on=date(2025, 9, 1),
        )
    with pytest.raises(
        Forbidden
    ):  # the convener's recording staff: assigning is for deciding roles
        conference_task_assign(
            actor=world.clerk,
            item_id=item.pk,
            organ_id=world.court.pk,
            description="x",
            due_on=date(2025, 9, 1),
        )
    task = conference_task_assign(
        actor=world.city_head,
        item_id=item.pk,
        organ_id=world.court.pk,
        description="开展诉前调解",
        due_on=date(2025, 9, 1),
    )
    with pytest.raises(NotFound):  # the housing bureau is neither the court nor the convener
        task_entry_add(
            actor=housing_clerk, task_id=task.pk, kind="reply", on=date(2025, 8, 28), body="x"
        )
    assert ConferenceTask.objects.get().status == "open"


def test_bad_meeting_input_is_refused_and_nothing_saved(world, town):
    with pytest.raises(ApplicationError) as e:
        conference_record(
            actor=world.city_head,
            organ=world.county_gov,
            title="",
            held_on=date(2025, 9, 5),
            member_ids=[world.city_housing.pk],
        )
    assert set(e.value.fields) == {"title", "held_on", "members"}  # the city bureau is not in scope
    assert Conference.objects.count() == 0


def test_an_agenda_petition_must_be_one_the_recorder_may_see(world, town, meeting, register):
    c, _ = meeting
    city = register(
        organ=world.city_po,
        actor=world.city_clerk,
        received_at=local(2025, 8, 20),
        at=local(2025, 8, 20),
    ).petition
    with pytest.raises(ApplicationError) as e:  # held by the city's office: not the county's to see
        agenda_item_add(
            actor=world.city_head,
            conference_id=c.pk,
            kind="backlog",
            title="",
            tracking_code=city.tracking_code,
        )
    assert "tracking_code" in e.value.fields and AgendaItem.objects.count() == 0
    p = register(
        received_at=local(2025, 8, 20), at=local(2025, 8, 20)
    ).petition  # at the county office
    item = agenda_item_add(
        actor=world.city_head,
        conference_id=c.pk,
        kind="backlog",
        title="",
        tracking_code=p.tracking_code,
    )
    assert item.petition_id == p.pk and item.title == p.title


def test_the_minutes_are_a_docx_with_decisions_and_tasks(client, world, town, meeting):
    from docx import Document

    c, _ = meeting
    item = agenda_item_add(
        actor=world.city_head, conference_id=c.pk, kind="other", title="欠薪隐患排查"
    )
    agenda_decision_set(actor=world.city_head, item_id=item.pk, decision="人社局牵头开展专项检查")
    conference_task_assign(
        actor=world.city_head,
        item_id=item.pk,
        organ_id=world.court.pk,
        description="开通欠薪案件绿色通道",
        due_on=date(2025, 9, 15),
    )
    client.force_login(world.city_head)
    r = client.get(f"/prevention/conferences/{c.pk}/minutes.docx")
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for t in doc.tables for row in t.rows for cell in row.cells
    )
    assert (
        "纪要" in text
        and "人社局牵头开展专项检查" in text
        and "开通欠薪案件绿色通道" in text
        and "青山县人民法院" in text
    )


def test_the_conference_pages(client, world, town, meeting):
    c, housing_clerk = meeting
    client.force_login(world.city_head)
    base = f"/prevention/conferences/{c.pk}/"
    assert (
        client.post(base + "item/", {"kind": "other", "title": "汛期安置点排查"}).status_code == 302
    )
    item = AgendaItem.objects.get()
    assert (
        client.post(
            base + "task/",
            {
                "item": item.pk,
                "organ": world.housing.pk,
                "description": "排查安置点",
                "due_on": "2025-09-05",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            base + "task/",
            {
                "item": item.pk,
                "organ": world.housing.pk,
                "description": "x",
                "due_on": "2025-13-05",
            },
        ).status_code
        == 400
    )
    assert (
        client.post(
            base + "task/",
            {
                "item": "999999",
                "organ": world.housing.pk,
                "description": "x",
                "due_on": "2025-09-05",
            },
        ).status_code
        == 404
    )
    task = ConferenceTask.objects.get()
    client.force_login(housing_clerk)  # a member: sees the meeting and its task, replies
    html = client.get("/prevention/conferences/").content.decode()
    assert "排查安置点" in html
    assert (
        client.post(
            base + "reply/", {"task": task.pk, "on": "2025-08-30", "body": "已排查 3 处"}
        ).status_code
        == 302
    )
    assert (
        client.post(base + "close/", {"task": task.pk, "on": "2025-08-30", "body": "x"}).status_code
        == 404
    )
    client.force_login(
        world.handler
    )  # the housing bureau's handler: a member organ, but a reader? records too
    assert client.get(base).status_code == 200
    client.force_login(town.analyst)
    assert client.get(base).status_code == 404


@pytest.fixture
def policy(world, town):
    return policy_matter_create(
        actor=world.po_head,
        organ=world.county_gov,
        title="企业军转干部生活困难补助",
        description="多名企业军转干部反映生活困难补助标准不统一",
    )


def test_a_policy_matter_groups_petitions_each_keeping_its_own_deadline(
    world, town, policy, register
):
    p1 = register(
        title="军转干部补助", received_at=local(2025, 8, 20), at=local(2025, 8, 20)
    ).petition
    p2 = register(
        title="军转干部补助标准", received_at=local(2025, 8, 22), at=local(2025, 8, 22)
    ).petition
    policy_matter_link(actor=world.po_head, matter_id=policy.pk, tracking_code=p1.tracking_code)
    policy_matter_link(
        actor=world.po_head, matter_id=policy.pk, petition_id=p2.pk, source="same_matter"
    )
    policy_matter_link(
        actor=world.po_head, matter_id=policy.pk, petition_id=p2.pk
    )  # again: nothing new
    rows, hidden = policy_matter_petitions(user=world.po_head, matter=policy)
    assert [r.id for r in rows] == [p1.pk, p2.pk] and hidden == 0
    assert all(r.next_due is not None for r in rows)  # each its own open statutory deadline
    assert rows[0].next_due != rows[1].next_due
    other = policy_matter_create(
        actor=world.po_head, organ=world.county_gov, title="另一问题", description="x"
    )
    with pytest.raises(ApplicationError) as e:
        policy_matter_link(actor=world.po_head, matter_id=other.pk, petition_id=p1.pk)
    assert (
        e.value.status == 409
        and PolicyMatterPetition.objects.get(petition=p1).matter_id == policy.pk
    )
    with pytest.raises(Forbidden):
        policy_matter_respond(
            actor=world.clerk,
            matter_id=policy.pk,
            response_kind="fund",
            response="x",
            on=date(2025, 8, 30),
        )
    policy_matter_respond(
        actor=world.po_head,
        matter_id=policy.pk,
        response_kind="fund",
        response="县财政设立专项补助资金，统一标准",
        on=date(2025, 8, 30),
    )
    policy.refresh_from_db()
    assert policy.status == "responded"
    p1.refresh_from_db()
    assert p1.state == "registered" or p1.state  # the petition's own state is untouched
    assert rows[0].state == p1.state


def test_the_policy_response_shows_on_each_petition_page(client, world, town, policy, register):
    p = register(
        title="军转干部补助", received_at=local(2025, 8, 20), at=local(2025, 8, 20)
    ).petition
    policy_matter_link(actor=world.po_head, matter_id=policy.pk, tracking_code=p.tracking_code)
    policy_matter_respond(
        actor=world.po_head,
        matter_id=policy.pk,
        response_kind="fund",
        response="设立专项补助资金",
        on=date(2025, 8, 30),
    )
    client.force_login(world.po_head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert (
        "企业军转干部生活困难补助" in html
        and "设立专项补助资金" in html
        and "本件仍按自身程序和期限办理并答复" in html
    )
    page = client.get(f"/prevention/policy/{policy.pk}/").content.decode()
    assert "军转干部补助" in page
    assert (
        client.post(f"/prevention/policy/{policy.pk}/link/", {"tracking_code": "NOPE"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/prevention/policy/{policy.pk}/respond/",
            {"response_kind": "x", "response": "", "on": "2025-08-30"},
        ).status_code
        == 400
    )
    assert client.post(f"/prevention/policy/{policy.pk}/zzz/", {}).status_code == 404


def test_bad_policy_input_is_refused(world, town):
    with pytest.raises(ApplicationError) as e:
        policy_matter_create(
            actor=world.po_head, organ=world.county_gov, title="\x00", description=""
        )
    assert "title" in e.value.fields
    with pytest.raises(NotFound):
        policy_matter_create(
            actor=world.handler, organ=world.county_gov, title="x", description="y"
        )


def test_an_accusation_linked_to_the_accused_organs_policy_matter_is_not_even_counted(
    world, town, policy, register
):
    """Art. 30 para 3, Art. 46(5): the accused organ's staff must not learn that an accusation
    exists, not even as one more in "N not in your scope" or in the list's count."""
    from xinfang.prevention.selectors import policy_matters_for_user

    accusation = register(
        category="accusation",
        route=None,
        accused_organ_id=world.county_gov.pk,
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    elsewhere = register(organ=world.city_po, actor=world.city_clerk).petition
    # linked by a higher office that sees both (the premise; the test is about what is shown)
    for p in (accusation, elsewhere):
        PolicyMatterPetition.objects.create(
            matter=policy,
            petition=p,
            source="manual",
            linked_by=world.city_clerk,
            linked_at=local(2025, 3, 4),
        )
    head = world.city_head  # organ head at 青山县人民政府, the accused organ
    rows, hidden = policy_matter_petitions(user=head, matter=policy)
    assert rows == [] and hidden == 1  # the ordinary petition held elsewhere, not the accusation
    counts = {m.pk: m.petition_count for m in policy_matters_for_user(user=head)}
    assert counts[policy.pk] == 1
