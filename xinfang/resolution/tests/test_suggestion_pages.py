"""The suggestion and mediation pages: lists, the forms (a refresh adds nothing, an error keeps
what was typed), the public portal list, the timeline, bad input 4xx, the query counts."""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.resolution.tests.test_mediation import SIGNERS, in_handling, recorded
from xinfang.resolution.tests.test_suggestion import REPLY, SUMMARY, decided, opened, under_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def sep1():
    import time_machine

    with time_machine.travel(local(2025, 9, 1), tick=False):
        yield


def test_a_suggestion_is_opened_decided_and_listed_publicly_by_its_forms(
    client, world, register, sep1
):
    from xinfang.resolution.models import Suggestion

    p = under_study(world, register)
    client.force_login(world.head)
    assert "立项研究" in client.get("/resolution/suggestions/").content.decode()
    html = client.get(f"/resolution/suggestions/new/?petition={p.tracking_code}").content.decode()
    assert p.tracking_code in html
    data = {"petition": p.tracking_code, "subject": "老旧小区加装电梯简化审批", "once": "s1"}
    for _ in range(2):  # a refresh opens nothing more
        r = client.post("/resolution/suggestions/new/", data)
        assert r.status_code in (302, 303)
    s = Suggestion.objects.get()
    assert r["Location"] == f"/resolution/suggestions/{s.pk}/"
    # an error keeps what was typed
    bad = {
        "decision": "adopted",
        "reply": REPLY,
        "publish": "1",
        "reply_summary": "张三的建议",
        "once": "d0",
    }
    r = client.post(f"/resolution/suggestions/{s.pk}/decide/", bad)
    assert r.status_code == 400
    html = r.content.decode()
    assert REPLY in html and "身份信息" in html
    ok = {**bad, "reply_summary": SUMMARY, "once": "d1"}
    for _ in range(2):
        r = client.post(f"/resolution/suggestions/{s.pk}/decide/", ok)
        assert r.status_code in (302, 303)
    html = client.get(r["Location"]).content.decode()
    assert "予以采纳" in html and "suggestion-reply" in html
    public = client.get("/portal/suggestions/").content.decode()
    assert "老旧小区加装电梯简化审批" in public and SUMMARY in public
    assert "张三" not in public and "13800000000" not in public and p.tracking_code not in public
    r = client.post(
        f"/resolution/suggestions/{s.pk}/recognise/",
        {"kind": "commend", "description": "建议被全县推广", "once": "r1"},
    )
    assert r.status_code in (302, 303)
    assert "建奖" in client.get(r["Location"]).content.decode()
    timeline = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "建议立项研究" in timeline and "建议表彰奖励" in timeline


def test_the_petition_page_routes_a_suggestions_reply_to_its_decision(
    client, world, register, sep1
):
    """The petition page's 答复 of a suggestion is a way to the study (none yet: the form that
    opens one, for this petition; then the study itself), not a plain reply form; a plain reply
    posted anyway (an old tab) is refused with the reason, what was typed still shown."""
    from xinfang.petitions.models import Petition

    p = under_study(world, register)
    client.force_login(world.head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    new = f"/resolution/suggestions/new/?petition={p.tracking_code}"
    assert f'href="{new}" id="reply-route-link"' in html
    assert f'action="/petitions/{p.pk}/act/reply/"' not in html
    r = client.post(f"/petitions/{p.pk}/act/reply/", {"reason": "感谢您的宝贵建议"})
    html = r.content.decode()
    assert r.status_code == 400 and "第二十九条" in html and "感谢您的宝贵建议" in html
    assert Petition.objects.get(pk=p.pk).state == "suggestion_review"
    s = opened(world, p)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f'href="/resolution/suggestions/{s.pk}/" id="reply-route-link"' in html


def test_bad_input_on_the_suggestion_pages_is_a_4xx(client, world, register, sep1):
    p = under_study(world, register)
    s = opened(world, p)
    client.force_login(world.head)
    assert client.get("/resolution/suggestions/?status=nope").status_code == 400
    assert client.get("/resolution/suggestions/?cursor=x1").status_code == 400
    assert client.get("/portal/suggestions/?cursor=%00").status_code == 400
    assert client.post(f"/resolution/suggestions/{s.pk}/fly/", {}).status_code == 404
    r = client.post(
        f"/resolution/suggestions/{s.pk}/decide/", {"decision": "adopted", "reply": "a\x00b"}
    )
    assert r.status_code == 400
    r = client.post("/resolution/suggestions/new/", {"petition": "x" * 5000, "subject": "y"})
    assert r.status_code == 400
    assert client.get("/resolution/suggestions/999999/").status_code == 404


def test_who_may_act_on_a_suggestion(client, world, register, sep1):
    p = under_study(world, register)
    s = opened(world, p)
    client.force_login(world.city_clerk)  # sees it (the office of the region) but does not hold it
    assert client.get(f"/resolution/suggestions/{s.pk}/").status_code == 200
    assert "作出决定并答复" not in client.get(f"/resolution/suggestions/{s.pk}/").content.decode()
    r = client.post(
        f"/resolution/suggestions/{s.pk}/decide/", {"decision": "adopted", "reply": "x"}
    )
    assert r.status_code == 403
    client.force_login(world.analyst)
    assert client.get("/resolution/suggestions/").status_code == 403


def test_a_mediation_is_recorded_and_signed_by_its_forms(client, world, register, sep1):
    from xinfang.petitions.models import Petition
    from xinfang.resolution.models import Mediation

    p = in_handling(world, register)
    client.force_login(world.handler)
    data = {
        "petition": p.tracking_code,
        "kind": "mediation",
        "held_on": "2025-09-01",
        "place": "调解室",
        "mediator": "王调解",
        "present": "张三；李四",
        "agreed": "餐馆加装隔音设施",
        "side_0": SIGNERS[0][0],
        "name_0": SIGNERS[0][1],
        "side_1": SIGNERS[1][0],
        "name_1": SIGNERS[1][1],
        "once": "m0",
    }
    r = client.post("/resolution/mediations/new/", data)  # no consent: kept, refused
    assert r.status_code == 400 and "餐馆加装隔音设施" in r.content.decode()
    data.update(consent="1", once="m1")
    for _ in range(2):
        r = client.post("/resolution/mediations/new/", data)
        assert r.status_code in (302, 303)
    m = Mediation.objects.get()
    first, second = m.signers.all()
    r = client.post(f"/resolution/mediations/{m.pk}/sign/", {"signer": first.pk, "once": "g0"})
    assert r.status_code == 400  # no method
    for _ in range(2):
        r = client.post(
            f"/resolution/mediations/{m.pk}/sign/",
            {"signer": first.pk, "method": "in_person", "once": "g1"},
        )
        assert r.status_code in (302, 303)
    r = client.post(
        f"/resolution/mediations/{m.pk}/sign/",
        {"signer": second.pk, "method": "written", "once": "g2"},
    )
    html = client.get(r["Location"]).content.decode()
    assert "已签订协议" in html and "mediation-agreement" in html
    assert Petition.objects.get(pk=p.pk).state == "settled"
    timeline = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "调解" in timeline


def test_a_refusal_by_its_form_leaves_the_matter_in_handling(client, world, register, sep1):
    from xinfang.petitions.models import Petition

    p = in_handling(world, register)
    m = recorded(world, p)
    client.force_login(world.handler)
    signer = m.signers.get(name="张三")
    r = client.post(
        f"/resolution/mediations/{m.pk}/refuse/",
        {"signer": signer.pk, "reason": "补偿不足", "once": "f1"},
    )
    assert r.status_code in (302, 303)
    html = client.get(r["Location"]).content.decode()
    assert "未达成协议" in html and "拟定的协议内容（未签订）" in html
    # the way on: mediate again, for this petition (Art. 33)
    again = f'href="/resolution/mediations/new/?petition={p.tracking_code}"'
    assert again in html and "重新调解" in html
    assert Petition.objects.get(pk=p.pk).state == "in_handling"
    assert client.post(f"/resolution/mediations/{m.pk}/sign/", {"signer": "x"}).status_code == 400
    assert client.get("/resolution/mediations/?status=nope").status_code == 400


def test_a_confidential_petitions_parties_are_named_only_to_the_handling_organ(
    client, world, register, sep1
):
    """The mediation page names the parties as the petition page does: of a confidential
    petition only the organ handling it now sees who signed and who was present (Art. 46(5)).

    Planted fault: ``mediation_get_for_user`` without ``names_hidden`` - the county office's
    clerk then reads 张三 and the present list, and this test fails."""
    p = in_handling(world, register, confidential=True)
    m = recorded(world, p)
    client.force_login(world.clerk)
    html = client.get(f"/resolution/mediations/{m.pk}/").content.decode()
    assert "张*" in html and "青*" in html
    assert "张三" not in html and "李四" not in html and "王调解；" not in html
    assert "张三" not in client.get("/resolution/mediations/").content.decode()
    client.force_login(world.head)  # the housing bureau handles it
    html = client.get(f"/resolution/mediations/{m.pk}/").content.decode()
    assert "张三" in html and "餐馆经营者李四" in html


def test_query_counts_of_the_new_pages(
    client, world, register, sep1, django_assert_max_num_queries
):
    p = under_study(world, register)
    s = decided(world, opened(world, p))
    q = in_handling(world, register)
    m = recorded(world, q)
    client.force_login(world.head)
    for url, budget in (
        # measured 2026-12-07 on SQLite: session, user, roles, then the page's own reads
        ("/resolution/suggestions/", 5),
        (f"/resolution/suggestions/{s.pk}/", 7),
        ("/resolution/mediations/", 5),
        (f"/resolution/mediations/{m.pk}/", 7),
    ):
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
    client.logout()
    with django_assert_max_num_queries(2):
        assert client.get("/portal/suggestions/").status_code == 200


def test_the_refusal_page_names_a_suggestion_field_by_its_label(client, world):
    """Walker report item 11: a NUL in the reply summary was reported as "reply_summary：NUL"."""
    client.force_login(world.clerk)
    r = client.post("/resolution/suggestions/1/", {"reply_summary": "a\x00b", "decision": "x"})
    body = r.content.decode()
    assert r.status_code == 400 and "答复摘要" in body and "reply_summary：" not in body
    assert 'name="reply_summary"' in body  # the resend form still posts the field's own name
