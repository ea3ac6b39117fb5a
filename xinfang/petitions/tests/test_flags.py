"""The cross-cutting facts of regulation.md §6.1 (issue 10 §2 item 8): major or urgent (Art. 25)
with its report, supervised (Art. 40), a leader in charge (Art. 18 para 2), backlog, joint
handling (Art. 18 para 3). Set by one service with an event, never changing the state or a
deadline; shown and filterable on the worklist, exported and counted."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import local
from tests.flows import act
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.deadlines.models import Deadline
from xinfang.petitions.flags import Flag, flag_refusal
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import worklist_flag_counts, worklist_for_user
from xinfang.petitions.services import petition_flag_set

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _flag(p, flag, on, actor, **kw):  # type: ignore[no-untyped-def]
    return petition_flag_set(petition_id=p.pk, flag=flag, on=on, actor=actor, **kw)


@pytest.fixture
def petition(register):  # type: ignore[no-untyped-def]
    return register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition


# --- the pure rules ------------------------------------------------------------------------


def _refusal(flag, on=True, roles=("organ_head",), po=True, current=None, leader=""):  # type: ignore[no-untyped-def]
    return flag_refusal(
        flag, on, roles=set(roles), at_petition_office=po, current=current or {}, leader=leader
    )


def test_only_a_petition_office_supervises_art_40() -> None:
    assert _refusal(Flag.SUPERVISED, po=False) == ("forbidden", "只有信访部门可以督办（第四十条）")
    assert _refusal(Flag.SUPERVISED, po=True) is None


def test_a_leader_case_names_its_leader_art_18() -> None:
    assert _refusal(Flag.LEADER_CASE)[1] == "请写明包案领导（第十八条第二款）"  # type: ignore[index]
    assert _refusal(Flag.LEADER_CASE, leader="王副县长") is None
    assert _refusal(Flag.LEADER_CASE, roles=("registrar",), leader="王副县长")[0] == "forbidden"  # type: ignore[index]


def test_the_report_of_a_major_matter_is_recorded_only_for_a_major_matter_art_25() -> None:
    assert "第二十五条" in _refusal(Flag.MAJOR_URGENT_REPORTED)[1]  # type: ignore[index]
    assert _refusal(Flag.MAJOR_URGENT_REPORTED, current={Flag.MAJOR_URGENT: True}) is None


def test_a_handler_or_an_analyst_sets_no_flag() -> None:
    for roles in (("handler",), ("analyst",), ("supervisor",), ()):
        assert _refusal(Flag.BACKLOG, roles=roles)[0] == "forbidden"  # type: ignore[index]


# --- the service ---------------------------------------------------------------------------


def test_a_major_or_urgent_matter_is_flagged_with_an_event_and_its_state_unchanged_art_25(
    world, petition
):
    before = list(Deadline.objects.filter(petition=petition).values_list("code", "due_date"))
    _flag(petition, "major_urgent", True, world.po_head, reason="群体性，可能造成社会影响")
    p = Petition.objects.get(pk=petition.pk)
    assert (p.major_urgent, p.major_urgent_reported, p.state) == (True, False, "registered")
    ev = p.events.order_by("-seq").first()
    assert (ev.action, ev.from_state, ev.to_state) == ("flag", "registered", "registered")
    assert ev.data == {"flag": "major_urgent", "on": True, "basis": "第二十五条"}
    assert ev.reason == "群体性，可能造成社会影响" and ev.actor == world.po_head
    after = list(Deadline.objects.filter(petition=p).values_list("code", "due_date"))
    assert after == before
    from xinfang.audit.models import AuditRecord
    from xinfang.audit.verify import audit_verify

    assert AuditRecord.objects.filter(kind="petition.flag", object_id=str(p.pk)).count() == 1
    rep = audit_verify()  # the petition with its new event is sealed again (ADR 0014)
    assert rep.ok, rep.problems


def test_clearing_a_major_matter_clears_its_report_too_art_25(world, petition):
    _flag(petition, "major_urgent", True, world.po_head)
    _flag(petition, "major_urgent_reported", True, world.po_head)
    assert Petition.objects.get(pk=petition.pk).major_urgent_reported
    _flag(petition, "major_urgent", False, world.po_head, reason="经研判不属重大紧急")
    p = Petition.objects.get(pk=petition.pk)
    assert (p.major_urgent, p.major_urgent_reported) == (False, False)


def test_a_competent_organ_cannot_supervise_but_the_petition_office_can_art_40(world, petition):
    act(world, petition, "transfer", world.clerk, (2025, 8, 30), to_organ_id=world.housing.pk)
    with pytest.raises(Forbidden):
        _flag(petition, "supervised", True, world.head)
    _flag(petition, "supervised", True, world.po_head)
    assert Petition.objects.get(pk=petition.pk).supervised


def test_a_leader_in_charge_is_recorded_by_name_and_cleared_with_the_flag_art_18(world, petition):
    with pytest.raises(ApplicationError) as e:
        _flag(petition, "leader_case", True, world.po_head)
    assert "第十八条第二款" in e.value.message
    _flag(petition, "leader_case", True, world.po_head, leader="王副县长")
    p = Petition.objects.get(pk=petition.pk)
    assert (p.leader_case, p.leader_in_charge) == (True, "王副县长")
    _flag(petition, "leader_case", False, world.po_head)
    p = Petition.objects.get(pk=petition.pk)
    assert (p.leader_case, p.leader_in_charge) == (False, "")


def test_a_flag_already_set_is_not_set_twice(world, petition):
    _flag(petition, "backlog", True, world.po_head)
    with pytest.raises(ApplicationError) as e:
        _flag(petition, "backlog", True, world.po_head)
    assert e.value.code == "flag_refused"
    assert petition.events.filter(action="flag").count() == 1


def test_an_unknown_flag_or_a_stranger_gets_a_clear_refusal(world, petition):
    with pytest.raises(ApplicationError) as e:
        _flag(petition, "troublemaker", True, world.po_head)  # no flag profiles a person
    assert "flag" in e.value.fields
    with pytest.raises(NotFound):
        _flag(petition, "backlog", True, world.head)  # housing does not hold it: not visible
    with pytest.raises(NotFound):
        _flag(petition, "backlog", True, world.analyst)  # reads no petition at all


# --- worklist, counts, export, pages ------------------------------------------------------


def test_the_worklist_filters_and_counts_the_flags(world, register, petition):
    other = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    _flag(petition, "major_urgent", True, world.po_head)
    _flag(petition, "joint_handling", True, world.po_head)
    _flag(other, "backlog", True, world.po_head)
    page = worklist_for_user(user=world.clerk, flag="major_urgent")
    assert [p.pk for p in page.items] == [petition.pk]
    assert worklist_for_user(user=world.clerk, flag="nonsense").items == []
    assert worklist_flag_counts(user=world.clerk) == {
        "major_urgent": 1,
        "supervised": 0,
        "leader_case": 0,
        "backlog": 1,
        "joint_handling": 1,
        "major_urgent_unreported": 1,
    }
    assert worklist_flag_counts(user=world.head)["major_urgent"] == 0  # another organ's list


def test_the_export_has_a_column_of_the_flags(client, world, petition):
    _flag(petition, "major_urgent", True, world.po_head)
    _flag(petition, "leader_case", True, world.po_head, leader="王副县长")
    client.force_login(world.clerk)
    r = client.get("/export/petitions.csv?flag=leader_case")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8")[1:])))
    col = rows[0].index("标记")
    assert [row[col] for row in rows[1:]] == ["重大紧急（待报告）、领导包案（王副县长）"]
    assert client.get("/export/petitions.csv?flag=backlog").content.decode().count("\n") == 1


def test_the_worklist_page_shows_filters_and_counts_flags(client, world, register, petition):
    register(title="另一件普通信访", received_at=local(2025, 8, 28), at=local(2025, 8, 29))
    _flag(petition, "supervised", True, world.po_head)
    client.force_login(world.clerk)
    html = client.get("/worklist/?flag=supervised").content.decode()
    assert petition.title in html and "另一件普通信访" not in html
    assert 'name="flag"' in html and "督办" in html
    r = client.get("/worklist/?flag=nonsense")
    # a value no select offers is a 400 at the filter, not "共 0 件" (walker item 19)
    assert r.status_code == 400 and "没有这个选项" in r.content.decode()
    assert client.get("/worklist/?flag=%00x").status_code == 400  # refused, never a 500


def test_the_petition_page_sets_a_flag_and_refuses_clearly(client, world, petition):
    client.force_login(world.po_head)
    r = client.post(f"/petitions/{petition.pk}/flags/", {"flag": "major_urgent", "on": "1"})
    assert r.status_code == 302
    html = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "重大紧急" in html and "第二十五条" in html
    r = client.post(f"/petitions/{petition.pk}/flags/", {"flag": "leader_case", "on": "1"})
    assert r.status_code == 409 and "请写明包案领导" in r.content.decode()
    r = client.post(f"/petitions/{petition.pk}/flags/", {"flag": "nonsense", "on": "1"})
    assert r.status_code == 400
