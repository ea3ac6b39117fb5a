"""A mediation's texts follow the petition's own rules (Arts. 30 para 3, 46(5)): the agreement's
terms are shown only to whom the petition itself is shown, and of a confidential petition (or an
accusation) only the organ handling it now reads the parties' names - in the signatures, the
terms, a refusal's reason, on the mediation page, the petition's timeline and the agreement.

Planted faults this file catches (rerun: make the change, run this file):
- ``mediation_get_for_user`` without ``shown_agreed`` / ``shown_failed_reason`` masking (or the
  template printing ``m.agreed``): the county office's clerk reads 张三 in the terms;
- the ``{% if petition %}`` around the terms in ``mediation.html``: a user outside the
  petition's gate reads them;
- ``suggestion_timeline`` without ``mask_names_in``: the timeline names who refused;
- ``documents.selectors.texts._agreement`` ignoring ``ctx.names_hidden``: the agreement names
  the signers to the county office.
"""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.resolution.tests.test_mediation import in_handling, recorded, sign

pytestmark = pytest.mark.django_db

TERMS = (
    "张三与餐馆约定：餐馆于9月15日前加装隔音设施，每晚22时后停止室外经营。"
    "张三身份证11010519491231002X，电话13800000001。"
)
ID_NUMBER, PHONE = "11010519491231002X", "13800000001"
REFUSAL = f"张三拒绝签字，身份证{ID_NUMBER}，电话{PHONE}"


@pytest.fixture
def sep1():
    import time_machine

    with time_machine.travel(local(2025, 9, 1, 18), tick=False):
        yield


def test_the_terms_name_the_parties_only_to_the_organ_handling_a_confidential_petition(
    client, world, register, sep1
):
    p = in_handling(world, register, confidential=True)
    m = recorded(world, p, agreed=TERMS)
    client.force_login(world.clerk)  # the county office: sees the petition, not its parties
    html = client.get(f"/resolution/mediations/{m.pk}/").content.decode()
    assert "张*与餐馆约定" in html and "加装隔音设施" in html
    assert "张三" not in html and "李四" not in html
    assert ID_NUMBER not in html and PHONE not in html and "138****0001" in html
    client.force_login(world.head)  # the housing bureau handles it
    html = client.get(f"/resolution/mediations/{m.pk}/").content.decode()
    assert TERMS in html


def test_a_refusals_reason_names_nobody_to_those_who_may_not_see_the_parties(
    client, world, register, sep1
):
    from xinfang.resolution.models import Mediation

    p = in_handling(world, register, confidential=True)
    m = recorded(world, p)
    sign(world, m, "张三", signed=False, reason=REFUSAL)
    assert Mediation.objects.get(pk=m.pk).failed_reason == REFUSAL
    client.force_login(world.clerk)
    for url in (f"/resolution/mediations/{m.pk}/", f"/petitions/{p.pk}/"):
        html = client.get(url).content.decode()
        assert "张*拒绝签字" in html and "张三" not in html, url
        assert ID_NUMBER not in html and PHONE not in html and "138****0001" in html, url
    client.force_login(world.head)
    assert REFUSAL in client.get(f"/petitions/{p.pk}/").content.decode()


def test_the_agreement_masks_the_signatures_where_the_reader_sees_names_masked(
    client, world, register, sep1
):
    from xinfang.petitions.models import PetitionEvent

    p = in_handling(world, register, confidential=True)
    m = recorded(world, p, agreed=TERMS)
    sign(world, m, "张三")
    sign(world, m, "青山县幸福餐馆（经营者李四）")
    seq = PetitionEvent.objects.get(petition=p, action="settle").seq
    client.force_login(world.clerk)
    html = client.get(f"/documents/petitions/{p.pk}/{seq}/").content.decode()
    assert "加装隔音设施" in html and "当事人签字" in html
    assert "张三" not in html and "李四" not in html
    assert ID_NUMBER not in html and PHONE not in html
    client.force_login(world.head)
    html = client.get(f"/documents/petitions/{p.pk}/{seq}/").content.decode()
    assert "张三（信访人一方）" in html and "李四" in html


def test_the_terms_are_shown_only_to_whom_the_petition_is_shown(client, world, register, sep1):
    """A mediation record in the user's jurisdiction over a petition outside the petitions
    gate (here: a record kept by the county office, the petition held by the city's housing
    bureau): the record is listed, its terms and who was present are not."""
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import petition_queryset_for_user
    from xinfang.resolution.models import Mediation

    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    Petition.objects.filter(pk=p.pk).update(current_organ=world.city_housing)
    assert not petition_queryset_for_user(user=world.clerk).filter(pk=p.pk).exists()
    m = Mediation.objects.create(
        petition=p,
        organ=world.county_po,
        kind="mediation",
        held_on=local(2025, 8, 20).date(),
        place="调解室",
        mediator="王调解",
        present="到场的张三",
        agreed=TERMS,
        created_by=world.clerk,
        created_at=local(2025, 8, 20),
    )
    client.force_login(world.clerk)
    r = client.get(f"/resolution/mediations/{m.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "不在您的查看范围内" in html
    assert "加装隔音设施" not in html and "到场的张三" not in html
    # a failed one: neither the refusal's reason nor who refused (Arts. 30 para 3, 46(5))
    failed = Mediation.objects.create(
        petition=p,
        organ=world.county_po,
        kind="mediation",
        status="failed",
        held_on=local(2025, 8, 21).date(),
        place="调解室",
        mediator="王调解",
        present="到场的张三",
        agreed=TERMS,
        failed_reason=REFUSAL,
        created_by=world.clerk,
        created_at=local(2025, 8, 21),
    )
    failed.signers.create(side="petitioner", name="张三", signed=False)
    r = client.get(f"/resolution/mediations/{failed.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "未达成协议的原因" in html and "不在您的查看范围内" in html
    assert "拒绝签字" in html  # the signature table is kept, its names masked
    for secret in ("张三", ID_NUMBER, PHONE, "加装隔音设施"):
        assert secret not in html, secret
