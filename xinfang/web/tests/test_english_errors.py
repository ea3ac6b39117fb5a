"""Refusals of the service layer in the user's language: field messages, workflow refusals.

The messages are written in Chinese and translated where they are raised (docs/decisions/0004);
the pure workflow table cannot translate, so ``petitions.services`` does at the boundary. With no
language chosen every message stays the Chinese text, byte for byte.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from conftest import local
from xinfang.api.services import token_issue
from xinfang.core.errors import ApplicationError
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

FORM = {
    "title": "幸福小区餐馆油烟扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "received_on": "2025-08-28",
    "region_code": "990102",
    "category": "appeal",
    "route": "6",
    "p_name": "张三",
    "p_phone": "13800000000",
}
BAD = {**FORM, "title": "", "p_id": "110101199003071234", "p_phone": "电话"}

ILLEGAL_ZH = "当前状态“已登记”下不能“归档”"
GUARD_ZH = "信访部门不受理办理，应当转送或交办有权处理的机关（第二十二条）"


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _petition(register):
    return register(title="餐馆油烟扰民", received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition


def test_the_intake_desk_shows_field_messages_in_english(client, world):
    client.force_login(world.clerk)
    _english(client)
    r = client.post("/intake/visit/", BAD)
    html = r.content.decode()
    assert r.status_code == 400
    for text in ("The registration has errors; please correct them as shown", "Enter a title",
                 "The check character of the resident ID number is wrong",
                 "The phone number is not valid"):
        assert text in html, text
    for text in ("登记信息有误", "请填写标题", "校验位", "联系电话格式不正确"):
        assert text not in html, text
    assert "楼下餐馆每晚营业至凌晨" in html  # what the clerk typed stays as typed
    assert Petition.objects.count() == 0


def test_the_intake_desk_messages_stay_chinese_by_default(client, world):
    client.force_login(world.clerk)
    html = client.post("/intake/visit/", BAD).content.decode()
    for text in ("登记信息有误，请按提示修改", "请填写标题", "居民身份证号码校验位不正确，请核对",
                 "联系电话格式不正确"):
        assert text in html, text
    assert "Enter a title" not in html and "correct them" not in html


def test_an_illegal_step_on_the_petition_page_is_refused_in_english(client, world, register):
    p = _petition(register)
    client.force_login(world.clerk)
    _english(client)
    # no transition at all: the template of the pure table, with the labels translated
    r = client.post(f"/petitions/{p.pk}/act/close/", {"at": "2025-08-30"})
    html = r.content.decode()
    assert r.status_code == 409
    assert "“Archive” is not possible in the state “Registered”" in html
    assert "当前状态" not in html and "下不能" not in html
    # a guard of the table refuses: its static message
    r = client.post(f"/petitions/{p.pk}/act/acknowledge/", {"at": "2025-08-30"})
    html = r.content.decode()
    assert r.status_code == 409
    assert "A petition office does not handle items itself" in html and GUARD_ZH not in html
    p.refresh_from_db()
    assert p.state == "registered"


def test_an_illegal_step_on_the_petition_page_stays_chinese_by_default(client, world, register):
    p = _petition(register)
    client.force_login(world.clerk)
    html = client.post(f"/petitions/{p.pk}/act/close/", {"at": "2025-08-30"}).content.decode()
    assert ILLEGAL_ZH in html and "not possible" not in html
    html = client.post(f"/petitions/{p.pk}/act/acknowledge/", {"at": "2025-08-30"}).content.decode()
    assert GUARD_ZH in html


def test_a_step_with_bad_fields_is_refused_in_english(client, world, register):
    p = _petition(register)
    client.force_login(world.clerk)
    _english(client)
    html = client.post(f"/petitions/{p.pk}/act/transfer/", {"at": "2025-08-30"}).content.decode()
    assert "The step has errors; please correct them as shown" in html
    assert "Choose the receiving organ" in html and "请选择接收机关" not in html


def test_the_api_answers_an_illegal_step_in_the_requested_language(client, world, register):
    p = _petition(register)
    h = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.po_head)}"}
    url = f"/api/v1/petitions/{p.pk}/actions/issue_opinion"
    r = client.post(url, {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **h)
    assert r.status_code == 409 and r.json() == {
        "code": "illegal_transition",
        "message": "“Issue the handling opinion” is not possible in the state “Registered”",
    }
    r = client.post(url, {}, content_type="application/json", **h)
    assert r.status_code == 409
    assert r.json()["message"] == "当前状态“已登记”下不能“出具处理意见书”"
    r = client.post(
        f"/api/v1/petitions/{p.pk}/actions/transfer",
        {"at": "2025-08-30", "data": {}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **h,
    )
    assert r.status_code == 400
    assert r.json()["fields"]["to_organ_id"] == ["Choose the receiving organ"]


def test_the_service_message_follows_the_active_language(world, register):
    p = _petition(register)
    for lang, want in (("en", "“Archive” is not possible in the state “Registered”"),
                       ("zh-hans", ILLEGAL_ZH)):
        with translation.override(lang), pytest.raises(ApplicationError) as e:
            petition_act(petition_id=p.pk, action="close", actor=world.clerk)
        assert (e.value.code, e.value.message) == ("illegal_transition", want)
