"""Mediation and settlement (调解、和解, Art. 33) through the services: the record, each party's
signature or refusal, the settled matter with its numbered agreement, and the law's guards."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act

pytestmark = pytest.mark.django_db

AGREED = "餐馆于2025年9月15日前加装隔音设施，每晚22时后停止室外经营。"
SIGNERS = [("petitioner", "张三"), ("other", "青山县幸福餐馆（经营者李四）")]


def in_handling(world, register, **over):
    """Route (6) at the county housing bureau, in handling since 5 Aug 2025."""
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2), **over).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    category = over.get("category", "appeal")
    extra = {"route": 6} if category == "appeal" else {}
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category=category, **extra)
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    p.refresh_from_db()
    return p


def recorded(world, p, **over):
    from xinfang.resolution.services import mediation_record

    fields = dict(
        actor=world.handler,
        petition_id=p.pk,
        kind="mediation",
        held_on=local(2025, 9, 1).date(),
        place="青山县住房和城乡建设局调解室",
        mediator="王调解",
        present="信访人张三；餐馆经营者李四；住建局王调解",
        agreed=AGREED,
        consent=True,
        signers=SIGNERS,
        at=local(2025, 9, 1),
    )
    fields.update(over)
    return mediation_record(**fields)


def sign(world, m, name, *, signed=True, method="in_person", day=(2025, 9, 1), **over):
    from xinfang.resolution.services import mediation_sign

    signer = m.signers.get(name=name)
    return mediation_sign(
        actor=over.pop("actor", world.handler),
        mediation_id=m.pk,
        signer_id=signer.pk,
        signed=signed,
        method=method,
        on=local(*day).date(),
        at=local(*day),
        **over,
    )


def test_both_signatures_settle_the_matter_with_a_numbered_agreement(world, register):
    from xinfang.documents.selectors import document_list
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    m = recorded(world, p)
    m = sign(world, m, "张三")
    assert m.status == "signing" and Petition.objects.get(pk=p.pk).state == "in_handling"
    m = sign(world, m, SIGNERS[1][1], method="written", day=(2025, 9, 3))
    p = Petition.objects.get(pk=p.pk)
    assert m.status == "settled" and p.state == "settled" and not p.is_open
    assert m.settle_event.action == "settle" and m.settle_event.data["mediation_id"] == m.pk
    doc = [d for d in document_list(petition=p) if d.kind == "agreement"][-1]
    assert doc.title == "信访事项调解协议书" and "信调协〔2025〕1号" in doc.number
    body = " ".join(s.text for s in doc.sections)
    assert AGREED in body and "王调解" in body
    # no term limits the petitioner's rights (principle 2); planted fault: drop AGREEMENT_RIGHTS
    # from AGREEMENT_REMEDY and this fails
    assert "不限制信访人依法提出信访、请求复查复核或者提起诉讼的权利" in doc.remedy
    assert "张三（信访人一方）于2025年9月1日当面签字" in body
    assert "于2025年9月3日书面签署" in body
    assert "第三十三条" in doc.remedy and "诉讼" in doc.remedy  # the remedy route stays printed


def test_a_settlement_prints_its_own_title(world, register):
    from xinfang.documents.selectors import document_list
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    m = recorded(world, p, kind="settlement")
    sign(world, m, "张三")
    sign(world, m, SIGNERS[1][1])
    doc = document_list(petition=Petition.objects.get(pk=p.pk))[-1]
    assert doc.title == "信访事项和解协议书"


def test_a_party_refusing_to_sign_means_no_agreement_and_the_matter_continues(world, register):
    """Planted fault: settle on a refusal as well (drop the ``if not signed`` branch) and the
    petition ends as settled without the petitioner's signature."""
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    m = recorded(world, p)
    sign(world, m, SIGNERS[1][1])
    m = sign(world, m, "张三", signed=False, method="", reason="信访人认为补偿不足")
    assert m.status == "failed" and m.failed_reason == "信访人认为补偿不足"
    p = Petition.objects.get(pk=p.pk)
    assert p.state == "in_handling" and p.is_open
    # the organ goes on: it may try again, or answer with its handling opinion
    again = recorded(world, p, held_on=local(2025, 9, 5).date(), at=local(2025, 9, 5))
    assert again.status == "signing"


def test_a_signature_is_recorded_once(world, register):
    from xinfang.core.errors import ApplicationError

    p = in_handling(world, register)
    m = recorded(world, p)
    sign(world, m, "张三")
    with pytest.raises(ApplicationError):
        sign(world, m, "张三", signed=False)


def test_an_agreement_needs_both_sides_and_their_consent(world, register):
    from xinfang.core.errors import ApplicationError

    p = in_handling(world, register)
    with pytest.raises(ApplicationError) as e:
        recorded(world, p, signers=[("petitioner", "张三")])
    assert "signers" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        recorded(world, p, consent=False)
    assert "consent" in e.value.fields


def test_only_an_appeal_in_handling_is_mediated(world, register):
    """Art. 33 is for 申诉求决类 matters (the workflow's guard): a suggestion is studied, never
    mediated away."""
    from xinfang.core.errors import ApplicationError

    p = in_handling(world, register, category="suggestion", route=None)
    with pytest.raises(ApplicationError) as e:
        recorded(world, p)
    assert e.value.status == 409


def test_only_the_holding_organ_mediates(world, register):
    from xinfang.core.errors import Forbidden

    p = in_handling(world, register)
    with pytest.raises(Forbidden):
        recorded(world, p, actor=world.po_head)


def test_a_second_open_agreement_is_refused_and_a_refresh_records_one(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.models import Mediation

    p = in_handling(world, register)
    key = "5b0c7c9e-0000-4000-8000-000000000002"
    a = recorded(world, p, submission=key)
    assert recorded(world, p, submission=key).pk == a.pk
    with pytest.raises(ApplicationError):
        recorded(world, p)
    assert Mediation.objects.count() == 1


def test_bad_input_is_refused_clearly(world, register):
    from xinfang.core.errors import ApplicationError

    p = in_handling(world, register)
    for over in (
        {"kind": "arbitration"},
        {"held_on": None},
        {"held_on": local(2099, 1, 1).date()},
        {"agreed": ""},
        {"agreed": "x\x00"},
        {"place": "x" * 201},
        {"signers": [("judge", "x"), ("other", "y")]},
    ):
        with pytest.raises(ApplicationError) as e:
            recorded(world, p, **over)
        assert e.value.status == 400, over
    m = recorded(world, p)
    with pytest.raises(ApplicationError) as e:
        sign(world, m, "张三", method="by_pigeon")
    assert "method" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        sign(world, m, "张三", day=(2025, 8, 20))  # before the mediation
    assert "on" in e.value.fields


def test_after_a_recorded_mediation_the_matter_settles_only_through_its_signed_agreement(
    world, register
):
    """The walk found the petition page's 调解和解 step closing a matter, with an agreement
    document "signed by both parties", after a party had refused to sign. Planted fault: the
    hook not registered (or returning early) and the settle below goes through."""
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    m = recorded(world, p)
    with pytest.raises(ApplicationError, match="调解页面"):  # signatures still awaited
        act(world, p, "settle", world.head, (2025, 9, 1), agreement="mediation", summary="和解")
    sign(world, m, SIGNERS[1][1])
    sign(world, m, "张三", signed=False, method="", reason="信访人认为补偿不足")
    with pytest.raises(ApplicationError) as e:  # a party refused: no agreement exists
        act(world, p, "settle", world.head, (2025, 9, 2), agreement="mediation", summary="和解")
    assert "拒绝签字" in str(e.value.fields)
    assert Petition.objects.get(pk=p.pk).state == "in_handling"
    # a new mediation, signed by both, settles it
    again = recorded(world, p, held_on=local(2025, 9, 5).date(), at=local(2025, 9, 5))
    sign(world, again, SIGNERS[1][1], day=(2025, 9, 6))
    again = sign(world, again, "张三", day=(2025, 9, 6))
    assert again.status == "settled"
    assert Petition.objects.get(pk=p.pk).state == "settled"


def test_a_matter_without_a_mediation_record_still_settles_from_the_petition_page(world, register):
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    act(world, p, "settle", world.head, (2025, 9, 1), agreement="mediation", summary="双方和解")
    assert Petition.objects.get(pk=p.pk).state == "settled"


def test_the_timeline_says_no_agreement_in_the_readers_language(world, register):
    from django.utils import translation

    from xinfang.resolution.suggestion_timeline import suggestion_mediation_timeline

    p = in_handling(world, register)
    m = recorded(world, p)
    sign(world, m, "张三", signed=False, method="", reason="信访人认为补偿不足")
    with translation.override("en"):
        (item,) = suggestion_mediation_timeline(petition=p, user=world.clerk)
    assert item.text.endswith("; no agreement: 信访人认为补偿不足") and "未达成协议" not in item.text
