"""Staff pages in English on request (cookie, Accept-Language or the switch); Chinese by default."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from conftest import local
from xinfang.petitions.workflow import ACTION_LABELS, CATEGORY_LABELS, ROUTE_LABELS, STATE_LABELS
from xinfang.web import labels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NAV_ZH = ("待办", "登记", "检索", "退出")  # a clerk has no statistics (issue 12)


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _header(html: str) -> str:
    return re.search(r'<header class="top">.*?</header>', html, re.S).group(0)


def _petition(register):
    return register(title="餐馆油烟扰民", received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition


def test_the_worklist_is_in_english_with_the_language_cookie(client, world, register):
    _petition(register)
    client.force_login(world.clerk)
    _english(client)
    html = client.get("/worklist/").content.decode()
    assert 'lang="en"' in html
    for word in ("Worklist", "Register", "Search", "Sign out", "Saved filters",
                 "Tracking code", "Status", "Registered", "days left", "中文"):
        assert word in html, word
    header = _header(html)
    for word in (*NAV_ZH, ">登记<"):
        assert word not in header, word
    for word in ("待办", "常用筛选", "查询码", "收到日期", "筛选", "已登记", "日</span>"):
        assert word not in html, word
    assert "餐馆油烟扰民" in html  # the petition itself stays as written


def test_the_petition_page_is_in_english(client, world, register):
    p = _petition(register)
    client.force_login(world.clerk)
    _english(client)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    for word in ("Tracking code", "Status", "Registered", "Now with", "Category", "Appeal or claim",
                 "Channel", "Letter", "Petitioner", "Request, facts and reasons", "Due",
                 "days left", "Time limits", "Step", "History", "Actions available now", "Transfer",
                 "Receiving organ", "Actual date (default: today)", "Registration"):
        assert word in html, word
    for word in ("查询码", "当前承办", "办理期限", "办理记录", "现在可以办理", "接收机关", "实际日期",
                 "申诉求决类", "剩 "):
        assert word not in html, word
    assert "餐馆油烟扰民" in html and "张三" in html
    # the legal basis of a time limit cites the regulation verbatim
    assert "第二十二条" in html


def test_an_action_flashes_its_message_in_english(client, world, register):
    p = _petition(register)
    client.force_login(world.clerk)
    _english(client)
    r = client.post(
        f"/petitions/{p.pk}/act/transfer/",
        {"to_organ_id": str(world.housing.pk), "at": "2025-08-30"},
        follow=True,
    )
    html = r.content.decode()
    assert "Transfer: done" in html and "已转送" not in html
    assert "Transferred" in html  # the new state


def test_the_intake_desk_is_in_english(client, world):
    client.force_login(world.clerk)
    _english(client)
    html = client.get("/intake/letter/").content.decode()
    for word in ("Register a letter", "Register a visit", "Online petitions to review",
                 "Title (required)", "Place of the matter", "Petitioner", "Collective petition",
                 "Agent", "Register and print the receipt (Alt+S)", "Possibly the same matter",
                 "Suggestion or opinion", "(6) Petition procedure"):
        assert word in html, word
    for word in ("来信登记", "标题（必填）", "事项所在地", "登记并打印回执", "可能相同的事项",
                 "建议意见类", "六种途径的说明"):
        assert word not in html, word


def test_the_intake_receipt_is_in_english(client, world):
    client.force_login(world.clerk)
    _english(client)
    form = {"title": "油烟扰民", "content": "请求处理。", "received_on": "2025-08-28",
            "region_code": "990102", "category": "appeal", "route": "6", "p_name": "张三"}
    html = client.post("/intake/letter/", form, follow=True).content.decode()
    assert "Petition registration receipt" in html and "Query password" in html
    assert "登记回执" not in html and "查询密码" not in html


def test_the_search_page_is_in_english(client, world, register):
    _petition(register)
    client.force_login(world.clerk)
    _english(client)
    html = client.get("/search/", {"by": "text", "q": "油烟"}).content.decode()
    for word in ("Search petitions", "Search by", "Title and content", "Search for", "All",
                 "Received from", "Tracking code", "Search terms"):
        assert word in html, word
    for word in ("检索信访事项", "检索方式", "标题和内容", "全部", "检索词"):
        assert word not in html, word


def test_the_login_page_is_in_english_by_accept_language(client, world):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    for word in ("Staff sign-in", "User name", "Password", "Sign in"):
        assert word in html, word
    for word in ("工作人员登录", "用户名", "密码", "登录"):
        assert word not in html, word
    assert "<script" not in html  # the switch is a plain form (strict CSP)


def test_chinese_stays_the_default_and_the_switch_goes_both_ways(client, world):
    client.force_login(world.clerk)
    html = client.get("/worklist/").content.decode()
    assert 'lang="zh-hans"' in html and all(w in _header(html) for w in NAV_ZH)
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html and "Worklist" not in html
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/worklist/"})
    assert r.status_code == 302 and r["Location"] == "/worklist/"
    html = client.get("/worklist/").content.decode()
    assert "Worklist" in html and "待办" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/worklist/"})
    html = client.get("/worklist/").content.decode()
    assert "待办" in html and "Worklist" not in html


def test_every_workflow_label_has_an_english_translation():
    with translation.override("en"):
        for table in (STATE_LABELS, CATEGORY_LABELS, ROUTE_LABELS):
            for label in table.values():
                assert labels.tr(label) != label, label
        for label in ACTION_LABELS.values():
            assert labels.tr(label) != label, label
            assert labels.tr_action(label) != label, label
        assert labels.tr_action("交办") == "Assign" and labels.tr("交办") == "Assignment"
    with translation.override("zh-hans"):
        assert labels.tr_action("交办") == "交办" and labels.tr("已转送") == "已转送"
