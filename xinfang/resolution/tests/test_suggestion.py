"""People's suggestions (建议意见类, Art. 29) through the services: study, decide with a reasoned
numbered reply, the public list (no identity unless consented), recognition, the edges."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act

pytestmark = pytest.mark.django_db

REPLY = "经研究论证，该建议切实可行，我局已在全县老旧小区推行加装电梯“一梯一策”，并简化审批。"
SUMMARY = "已采纳：全县老旧小区加装电梯推行“一梯一策”，简化审批流程。"


def under_study(world, register, **over):
    """A suggestion sent by the county office to the housing bureau, accepted and under study."""
    fields = dict(
        category="suggestion",
        route=None,
        title="建议老旧小区加装电梯简化审批",
        content="幸福小区多为老人，建议简化加装电梯审批流程，由住建部门统一指导。",
        received_at=local(2025, 8, 1),
        at=local(2025, 8, 1),
    )
    fields.update(over)
    p = register(**fields).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 2), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 8, 4), category="suggestion")
    act(world, p, "start_handling", world.head, (2025, 8, 4))
    p.refresh_from_db()
    return p


def opened(world, p, **over):
    from xinfang.resolution.services import suggestion_open

    fields = dict(
        actor=world.handler,
        petition_id=p.pk,
        subject="老旧小区加装电梯简化审批",
        study="征求了规划、消防部门意见。",
        at=local(2025, 8, 5),
    )
    fields.update(over)
    return suggestion_open(**fields)


def decided(world, s, **over):
    from xinfang.resolution.services import suggestion_decide

    fields = dict(
        actor=world.head,
        suggestion_id=s.pk,
        decision="adopted",
        reply=REPLY,
        reply_summary=SUMMARY,
        at=local(2025, 9, 1),
    )
    fields.update(over)
    return suggestion_decide(**fields)


def test_an_adopted_suggestion_is_replied_with_a_numbered_reasoned_document(world, register):
    from xinfang.documents.selectors import document_list
    from xinfang.petitions.models import Petition
    from xinfang.resolution.selectors import suggestion_public_list

    p = under_study(world, register)
    s = decided(world, opened(world, p))
    p = Petition.objects.get(pk=p.pk)
    assert p.state == "replied" and s.status == "adopted" and s.public
    assert s.reply_event.action == "reply" and s.reply_event.data["adoption"] == "adopted"
    doc = [d for d in document_list(petition=p) if d.kind == "reply"][-1]
    assert "信答〔2025〕" in doc.number and doc.title == "信访事项答复意见书"
    texts = " ".join(x.text for x in doc.sections)
    assert "予以采纳" in texts and REPLY in texts and "第二十九条" in doc.sections[0].text
    rows = suggestion_public_list().rows
    assert [r.subject for r in rows] == ["老旧小区加装电梯简化审批"]
    assert rows[0].reply_summary == SUMMARY and rows[0].credit_name == ""


def test_a_plain_reply_does_not_answer_a_suggestion_without_its_decision(world, register):
    """Art. 29: a suggestion is answered by deciding it (adopted / partly / not adopted) with
    the reasons. A plain ``reply`` - before any study, naming a decision but no study, or with
    the study open - is refused with the way to the decision, and the suggestion stays under
    study; the decision itself then replies.

    Planted fault: leave ``reply_to_a_suggestion_only_through_its_decision`` out of
    ``ResolutionConfig.ready`` - the first plain reply closes the suggestion and this fails."""
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Petition

    p = under_study(world, register)

    def plain(**data):
        with pytest.raises(ApplicationError) as e:
            act(
                world,
                p,
                "reply",
                world.head,
                (2025, 8, 20),
                "感谢您的建议，我们会认真研究。",
                **data,
            )
        assert "第二十九条" in e.value.fields["reason"][0] and "人民建议" in e.value.message

    plain()
    plain(adoption="adopted")
    s = opened(world, p)
    plain()
    plain(adoption="studying", suggestion_id=s.pk)
    plain(adoption="adopted", suggestion_id=s.pk + 1)
    plain(adoption="adopted", suggestion_id=s.pk)  # the very data suggestion_decide sends
    assert Petition.objects.get(pk=p.pk).state == "suggestion_review"
    s = decided(world, s)
    assert Petition.objects.get(pk=p.pk).state == "replied" and s.status == "adopted"


def test_a_not_adopted_suggestion_is_replied_with_reasons_and_never_listed(world, register):
    from xinfang.resolution.selectors import suggestion_public_list

    p = under_study(world, register)
    s = decided(
        world, opened(world, p), decision="not_adopted", reply="该建议涉及的事项不属于本局职权。"
    )
    assert s.status == "not_adopted" and not s.public
    assert suggestion_public_list().rows == []


def test_a_public_summary_naming_the_suggester_is_refused(world, register):
    """Planted fault: make ``identifying_in`` return {} and this fails (the name is published)."""
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Petition

    p = under_study(world, register)
    s = opened(world, p)
    for leak in (
        "张三建议已采纳",
        "请联系 138 0000 0000",
        "联系电话13800000000",
        "联系电话138-0000-0000",
        "联系电话138.0000.0000",
        "联系电话（0571）8888-1234",
        "联系电话１３８－００００－００００",
        "张·三建议已采纳",
    ):
        with pytest.raises(ApplicationError) as e:
            decided(world, s, reply_summary=leak)
        assert "reply_summary" in e.value.fields
    assert Petition.objects.get(pk=p.pk).state == "suggestion_review"  # nothing was taken


def test_a_subject_naming_the_suggester_is_refused(world, register):
    from xinfang.core.errors import ApplicationError

    p = under_study(world, register)
    with pytest.raises(ApplicationError) as e:
        opened(world, p, subject="张三关于加装电梯的建议")
    assert "subject" in e.value.fields


def test_a_subject_naming_a_party_corrected_after_opening_is_refused_at_publication(
    world, register
):
    """Art. 29: the subject is published with the decision, so it is checked again then (a
    party's name corrected after the study opened). Planted fault: check only the reply
    summary in ``suggestion_decide`` and this fails (the subject is published)."""
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Party
    from xinfang.resolution.selectors import suggestion_public_list

    p = under_study(world, register)
    s = opened(world, p, subject="关于李四所在小区加装电梯的建议")
    Party.objects.filter(petition_id=p.pk).update(name="李四")
    with pytest.raises(ApplicationError) as e:
        decided(world, s)
    assert "subject" in e.value.fields
    assert not suggestion_public_list().rows


def test_a_credit_needs_the_suggesters_consent_and_a_name_to_credit(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.selectors import suggestion_public_list

    p = under_study(world, register)
    s = opened(world, p)
    with pytest.raises(ApplicationError) as e:
        decided(world, s, credit_name="张三")
    assert "credit_name" in e.value.fields
    decided(world, s, credit_name="张三", credit_consent=True)
    assert suggestion_public_list().rows[0].credit_name == "张三"


def test_an_anonymous_suggestion_is_listed_without_any_credit(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.selectors import suggestion_public_list

    p = under_study(world, register, is_anonymous=True, parties=[])
    s = opened(world, p)
    with pytest.raises(ApplicationError):
        decided(world, s, credit_name="热心市民", credit_consent=True)
    decided(world, s)
    assert suggestion_public_list().rows[0].credit_name == ""


def test_only_a_suggestion_under_study_at_the_holding_organ_is_opened(world, register):
    from xinfang.core.errors import ApplicationError, Forbidden

    appeal = register().petition  # an appeal, still at the county office
    with pytest.raises((ApplicationError, Forbidden)):
        opened(world, appeal, actor=world.po_head)
    p = under_study(world, register)
    with pytest.raises(Forbidden):
        opened(world, p, actor=world.po_head)  # the office no longer holds it
    opened(world, p)
    with pytest.raises(ApplicationError):
        opened(world, p, at=local(2025, 8, 6))  # a second study of the same suggestion


def test_a_refresh_opens_one_study(world, register):
    from xinfang.resolution.models import Suggestion

    p = under_study(world, register)
    a = opened(world, p, submission="5b0c7c9e-0000-4000-8000-000000000001")
    b = opened(world, p, submission="5b0c7c9e-0000-4000-8000-000000000001")
    assert a.pk == b.pk and Suggestion.objects.count() == 1


def test_a_decided_suggestion_is_not_decided_twice(world, register):
    from xinfang.core.errors import ApplicationError

    p = under_study(world, register)
    s = decided(world, opened(world, p))
    with pytest.raises(ApplicationError):
        decided(world, s, decision="not_adopted", at=local(2025, 9, 2))


def test_a_valuable_adopted_suggestion_is_recognised_with_a_number(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import suggestion_recognise

    p = under_study(world, register)
    s = opened(world, p)
    with pytest.raises(ApplicationError):  # not yet adopted
        suggestion_recognise(actor=world.head, suggestion_id=s.pk, kind="commend", description="x")
    decided(world, s)
    r = suggestion_recognise(
        actor=world.head,
        suggestion_id=s.pk,
        kind="reward",
        description="建议被全县推广，给予通报表扬并奖励。",
        at=local(2025, 9, 5),
    )
    assert r.number.endswith("建奖〔2025〕1号")
    with pytest.raises(ApplicationError) as e:
        suggestion_recognise(actor=world.head, suggestion_id=s.pk, kind="medal", description="x")
    assert "kind" in e.value.fields


def test_bad_input_is_refused_clearly(world, register):
    from xinfang.core.errors import ApplicationError

    p = under_study(world, register)
    s = opened(world, p)
    for over in (
        {"decision": "maybe"},
        {"reply": ""},
        {"reply": "a\x00b"},
        {"reply_summary": "x" * 1001},
        {"reply_summary": ""},
    ):
        with pytest.raises(ApplicationError) as e:
            decided(world, s, **over)
        assert e.value.status == 400, over


def test_a_suggestion_withdrawn_from_the_public_list_disappears(world, register):
    from xinfang.resolution.selectors import suggestion_public_list
    from xinfang.resolution.services import suggestion_withdraw_public

    p = under_study(world, register)
    s = decided(world, opened(world, p), credit_name="张三", credit_consent=True)
    suggestion_withdraw_public(actor=world.head, suggestion_id=s.pk, at=local(2025, 9, 3))
    assert suggestion_public_list().rows == []


def test_the_api_cannot_answer_a_suggestion_by_sending_the_decisions_data(client, world, register):
    """The API forwards a step's ``data`` as sent: a plain ``reply`` carrying the adoption and
    the id of the study under way is refused all the same (Art. 29) - the suggestion stays under
    study, no reply is recorded, and the decision can still be taken."""
    from xinfang.api.tests.test_api import auth
    from xinfang.petitions.models import Petition, PetitionEvent

    p = under_study(world, register)
    s = opened(world, p)
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/reply",
        {
            "at": "2025-08-20",
            "reason": "感谢您的建议，予以采纳。",
            "data": {"adoption": "adopted", "suggestion_id": s.pk},
        },
        content_type="application/json",
        **auth(world.head),
    )
    assert r.status_code == 400 and "第二十九条" in r.json()["message"]
    assert Petition.objects.get(pk=p.pk).state == "suggestion_review"
    assert not PetitionEvent.objects.filter(petition=p, action="reply").exists()
    s = decided(world, s)
    assert Petition.objects.get(pk=p.pk).state == "replied" and s.status == "adopted"
