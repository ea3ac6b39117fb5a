"""Draft → approval of the opinion and the extension (issue 12, item 7; Arts. 32, 34): the
handler drafts, the organ's head approves or returns with a note, and nothing of a draft reaches
the petitioner until the head has signed it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.flows import OPINION, act, portal_open
from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.documents.models import Draft, DraftStatus
from xinfang.documents.selectors.drafts import (
    PREVIEW_NUMBER,
    draft_open,
    draft_preview,
    draft_timeline,
    draft_worklist,
)
from xinfang.documents.services.drafts import (
    DRAFT_STEPS,
    draft_approve,
    draft_discard,
    draft_may,
    draft_return,
    draft_save,
    draft_submit,
    draft_withdraw,
)
from xinfang.petitions.models import Petition

SECRET = "草稿中的措辞：尚未经负责人签发"


def _ago(days: int) -> tuple[int, int, int]:
    d = clock.today() - dt.timedelta(days=days)
    return (d.year, d.month, d.day)


@pytest.fixture
def handling(world, register):
    """An Art. 31(6) petition in handling at the county housing bureau, accepted a week ago."""
    from conftest import local

    p = register(received_at=local(*_ago(12)), at=local(*_ago(11))).petition
    act(world, p, "transfer", world.clerk, _ago(10), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, _ago(7), category="appeal", route=6)
    act(world, p, "start_handling", world.head, _ago(7))
    p.refresh_from_db()
    return p


def _draft(world, p, **over):  # type: ignore[no-untyped-def]
    data = {**OPINION, "facts": SECRET, **over}
    return draft_save(petition_id=p.pk, action="issue_opinion", actor=world.handler, data=data)


def test_a_handler_drafts_the_head_returns_it_with_a_note_and_then_signs_the_corrected_one(
    world, handling
):
    p = handling
    d = draft_save(
        petition_id=p.pk, action="issue_opinion", actor=world.handler, data={"request": "停业"}
    )
    assert d.status == DraftStatus.DRAFT and d.version == 1  # incomplete text is kept as it is
    d = draft_save(
        petition_id=p.pk,
        action="issue_opinion",
        actor=world.handler,
        data={**OPINION, "facts": SECRET},
        draft_id=d.pk,
        version=1,
    )
    assert d.version == 2 and d.data["facts"] == SECRET
    d = draft_submit(draft_id=d.pk, actor=world.handler, version=2)
    assert d.status == DraftStatus.SUBMITTED
    assert d in draft_worklist(user=world.head)  # the head sees it waiting to be signed
    with pytest.raises(ApplicationError) as e:
        draft_return(draft_id=d.pk, actor=world.head, note="   ")
    assert "note" in e.value.fields  # a return says why
    d = draft_return(draft_id=d.pk, actor=world.head, note="事实部分请写明监测数据", version=2)
    assert d.status == DraftStatus.RETURNED and d.note == "事实部分请写明监测数据"
    back = draft_worklist(user=world.handler)
    assert [x.pk for x in back] == [d.pk] and back[0].note == "事实部分请写明监测数据"
    p.refresh_from_db()
    assert p.state == "in_handling"  # nothing issued
    d = draft_save(
        petition_id=p.pk,
        action="issue_opinion",
        actor=world.handler,
        data={**OPINION, "facts": "夜间噪声监测 52 分贝，未超标。"},
        draft_id=d.pk,
        version=2,
    )
    d = draft_submit(draft_id=d.pk, actor=world.handler, version=3)
    d = draft_approve(draft_id=d.pk, actor=world.head, version=3)
    p.refresh_from_db()
    assert d.status == DraftStatus.APPROVED and p.state == "opinion_issued"
    ev = p.events.get(action="issue_opinion")
    assert d.event_id == ev.pk and ev.actor_id == world.head.pk  # the head signed it
    assert ev.data["facts"] == "夜间噪声监测 52 分贝，未超标。"
    assert draft_open(petition_id=p.pk, action="issue_opinion") is None
    kinds = [x["kind"] for x in draft_timeline(petition_id=p.pk)]
    assert kinds == ["create", "save", "submit", "return", "save", "submit", "approve"]
    audited = list(
        AuditRecord.objects.filter(
            object_type="petition", object_id=str(p.pk), kind__startswith="draft."
        )
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert audited == [f"draft.{k}" for k in kinds]


def test_an_extension_is_drafted_and_only_the_heads_approval_extends_the_period(world, handling):
    p = handling
    t6 = p.deadlines.get(code="T6", outcome="open").due_date
    d = draft_save(
        petition_id=p.pk,
        action="extend",
        actor=world.handler,
        data={"days": "20"},
        reason="需要委托环境监测机构夜间监测",
    )
    draft_submit(draft_id=d.pk, actor=world.handler)
    p.refresh_from_db()
    assert not p.extended and p.deadlines.get(code="T6", outcome="open").due_date == t6
    draft_approve(draft_id=d.pk, actor=world.head)
    p.refresh_from_db()
    assert p.extended and p.events.get(action="extend").actor_id == world.head.pk
    assert p.deadlines.get(code="T6", outcome="open").due_date > t6


def test_a_handler_can_never_sign_a_draft(world, handling):
    d = _draft(world, handling)
    draft_submit(draft_id=d.pk, actor=world.handler)
    for step in ("approve", "return"):
        assert draft_may(draft=Draft.objects.get(pk=d.pk), step=step, actor=world.handler)
    with pytest.raises(ApplicationError) as e:
        draft_approve(draft_id=d.pk, actor=world.handler)
    assert e.value.status == 403
    handling.refresh_from_db()
    assert handling.state == "in_handling"
    assert not handling.events.filter(action="issue_opinion").exists()


def test_an_unsigned_opinion_never_reaches_the_petitioner_or_the_portal(client, world, handling):
    """The planted fault: a draft that issued itself on submission (or a portal that read
    drafts) would show the draft's words to the petitioner before the head signed them."""
    p = handling
    d = _draft(world, p)
    draft_submit(draft_id=d.pk, actor=world.handler)
    draft_return(draft_id=d.pk, actor=world.head, note="再核实")
    d = Draft.objects.get(pk=d.pk)
    draft_save(
        petition_id=p.pk,
        action="issue_opinion",
        actor=world.handler,
        data={**OPINION, "facts": SECRET + "（改）"},
        draft_id=d.pk,
    )
    draft_submit(draft_id=d.pk, actor=world.handler)
    p.refresh_from_db()
    assert p.state == "in_handling" and not p.delivery_pending
    assert not p.deadlines.filter(code="T7").exists()  # no review clock without an opinion
    portal_open(client, p)
    code = p.tracking_code
    page = client.get(f"/portal/p/{code}/").content.decode()
    assert SECRET not in page and "信访处理意见书" not in page
    seq = p.events.order_by("-seq").first().seq
    for s in range(1, seq + 2):
        r = client.get(f"/portal/p/{code}/documents/{s}/")
        assert SECRET not in r.content.decode()
    # once signed, the petitioner reads the text the head signed
    draft_approve(draft_id=d.pk, actor=world.head)
    page = client.get(f"/portal/p/{code}/").content.decode()
    assert "信访处理意见书" in page


def test_the_head_signs_the_version_they_read_not_a_later_edit(world, handling):
    d = _draft(world, handling)
    draft_submit(draft_id=d.pk, actor=world.handler)
    draft_withdraw(draft_id=d.pk, actor=world.handler)
    draft_save(
        petition_id=handling.pk,
        action="issue_opinion",
        actor=world.handler,
        data={**OPINION, "decision": "改为支持"},
        draft_id=d.pk,
        version=1,
    )
    draft_submit(draft_id=d.pk, actor=world.handler)
    with pytest.raises(ApplicationError) as e:
        draft_approve(draft_id=d.pk, actor=world.head, version=1)  # the head read version 1
    assert e.value.status == 409
    assert Draft.objects.get(pk=d.pk).status == DraftStatus.SUBMITTED


def test_an_incomplete_opinion_cannot_be_submitted_and_loses_nothing(world, handling):
    d = draft_save(
        petition_id=handling.pk,
        action="issue_opinion",
        actor=world.handler,
        data={"request": "请求停业", "facts": SECRET},
    )
    with pytest.raises(ApplicationError) as e:
        draft_submit(draft_id=d.pk, actor=world.handler)
    assert {"decision", "legal_basis", "outcome"} <= set(e.value.fields)
    d = Draft.objects.get(pk=d.pk)
    assert d.status == DraftStatus.DRAFT and d.data["facts"] == SECRET


def test_one_open_draft_per_step_and_a_second_save_is_refused(world, handling):
    _draft(world, handling)
    with pytest.raises(ApplicationError) as e:
        _draft(world, handling)
    assert e.value.status == 409
    assert Draft.objects.filter(petition=handling).count() == 1


def test_a_draft_step_the_law_does_not_allow_is_refused(world, register):
    """A petition not yet in handling has no opinion to draft (Art. 31(6))."""
    from conftest import local

    p = register(received_at=local(*_ago(5)), at=local(*_ago(4))).petition
    with pytest.raises(ApplicationError):
        draft_save(petition_id=p.pk, action="issue_opinion", actor=world.handler, data={})
    with pytest.raises(ApplicationError) as e:
        draft_save(petition_id=p.pk, action="transfer", actor=world.handler, data={})
    assert e.value.status == 404
    # accepted at the housing bureau but not in handling yet: an extension may be drafted
    # (T6 runs from acceptance, Art. 34), an opinion not yet
    act(world, p, "transfer", world.clerk, _ago(3), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, _ago(2), category="appeal", route=6)
    with pytest.raises(ApplicationError) as e:
        draft_save(petition_id=p.pk, action="issue_opinion", actor=world.handler, data={})
    assert e.value.status == 409
    draft_save(petition_id=p.pk, action="extend", actor=world.handler, data={"days": "10"})


def test_another_organ_cannot_draft_or_act_on_the_draft(world, handling):
    with pytest.raises(ApplicationError) as e:
        draft_save(petition_id=handling.pk, action="issue_opinion", actor=world.city_head, data={})
    assert e.value.status == 403
    d = _draft(world, handling)
    draft_submit(draft_id=d.pk, actor=world.handler)
    with pytest.raises(ApplicationError):
        draft_approve(draft_id=d.pk, actor=world.city_head)
    assert draft_worklist(user=world.city_head) == []


def test_every_draft_state_has_a_way_out(world, handling):
    """No draft is stuck (as no petition is, test_no_dead_ends): every open status offers the
    drafter or the head a step that leaves it, and discarding keeps the row."""
    open_states = {DraftStatus.DRAFT, DraftStatus.SUBMITTED, DraftStatus.RETURNED}
    for status in open_states:
        leaving = {
            step
            for step, (sources, target, _who) in DRAFT_STEPS.items()
            if status in sources and target and target != status
        }
        assert leaving, status
        # someone of the organ may take one of them
        d = Draft(status=status, organ=world.housing, action="issue_opinion")
        assert any(
            draft_may(draft=d, step=s, actor=u) is None
            for s in leaving
            for u in (world.handler, world.head)
        ), status
    d = _draft(world, handling)
    draft_discard(draft_id=d.pk, actor=world.handler)
    assert Draft.objects.get(pk=d.pk).status == DraftStatus.DISCARDED
    _draft(world, handling)  # a new one may follow


def test_a_refused_approval_leaves_the_draft_as_it_was(world, handling):
    d = _draft(world, handling)
    draft_submit(draft_id=d.pk, actor=world.handler)
    Petition.objects.filter(pk=handling.pk).update(in_hearing=True)  # a hearing began meanwhile
    with pytest.raises(ApplicationError):
        draft_approve(draft_id=d.pk, actor=world.head)
    d = Draft.objects.get(pk=d.pk)
    assert d.status == DraftStatus.SUBMITTED and d.event_id is None
    assert not AuditRecord.objects.filter(kind="draft.approve").exists()


def test_the_preview_prints_the_document_as_it_will_be_issued(world, handling):
    d = _draft(world, handling)
    doc = draft_preview(
        draft_data=d.data,
        reason=d.reason,
        action=d.action,
        petition=handling,
        organ=world.housing,
    )
    assert doc.title == "信访处理意见书" and doc.number == PREVIEW_NUMBER
    assert doc.organ == world.housing.name
    texts = " ".join(s.text for s in doc.sections)
    assert SECRET in texts and "不予支持" in texts
    assert "复查" in doc.remedy  # the remedy route is printed (Art. 35)


def test_a_draft_on_a_petition_naming_the_signer_never_waits_in_their_list(world, handling):
    """Art. 30 para 3: the drafts list reads only petitions the user may see, so a petition
    that names the head as accused stays out of the head's list (the handler still has it)."""
    d = draft_submit(draft_id=_draft(world, handling).pk, actor=world.handler, version=1)
    assert d in draft_worklist(user=world.head)
    handling.accused_staff.add(world.head)
    assert d not in draft_worklist(user=world.head)
    assert d.status == DraftStatus.SUBMITTED and Draft.objects.filter(pk=d.pk).exists()
