"""Category, Art. 31 route and topic names follow the reader's language on every page that shows
them, as the state labels do (fixui item 1: 环境保护, 申诉求决类 … on English pages of the routing
rules, the rule check, the intake desk and the petition page).

One place per vocabulary: categories and routes are the msgids of ``petitions.workflow``'s labels
(``web.labels.tr`` / ``|tr``); topics go through ``insight.models.topic_label`` (the default tree's
names are in the catalogue; a topic an administrator adds stays as written).
Planted fault: dropping ``|tr`` from the rules page, or returning the name from ``topic_label``,
fails these tests.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.insight.classify.classifier import FakeClassifier
from xinfang.insight.classify.services import ShownSuggestion, topic_decide
from xinfang.insight.models import Topic, topic_label
from xinfang.routing.services import RuleInput, rule_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

# as a cell, a strong or a quotation: organ names (青山县住房和城乡建设局) are data, as written
CHINESE = (
    ">环境保护<",
    ">城乡建设<",
    "“城乡建设”",
    "“环境保护”",
    "申诉求决类",
    "建议意见类",
    "（六）信访程序",
)


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _topic(name: str) -> Topic:
    return Topic.objects.get(name=name, parent=None)


@pytest.fixture
def admin(world):
    return staff_create(
        username="countyadmin", password="pw-123456789", organ=world.county_po, roles=[Role.ADMIN]
    )


@pytest.fixture
def rules(world, admin):
    rule_save(
        actor=admin,
        data=RuleInput(
            organ=world.housing,
            region=world.county,
            category="appeal",
            route=6,
            topic=_topic("城乡建设"),
        ),
    )
    rule_save(
        actor=admin,
        data=RuleInput(
            organ=world.county_gov,
            region=world.county,
            category="suggestion",
            topic=_topic("环境保护"),
        ),
    )


def test_the_routing_rules_name_category_route_and_topic_in_the_readers_language(
    client, admin, rules
):
    client.force_login(admin)
    zh = client.get("/routing/rules/").content.decode()
    assert all(w in zh for w in ("申诉求决类", "（六）信访程序", ">城乡建设<", ">环境保护<"))
    _english(client)
    en = client.get("/routing/rules/").content.decode()
    for word in (
        "Appeal or claim",
        "Suggestion or opinion",
        "(6) Petition procedure",
        "Urban and rural construction",
        "Environmental protection",
    ):
        assert word in en, word
    for word in CHINESE:
        assert word not in en, word


def test_the_rule_check_names_categories_and_routes_in_the_readers_language(client, admin):
    client.force_login(admin)
    assert "申诉求决类" in client.get("/routing/check/").content.decode()  # every cell a gap
    _english(client)
    en = client.get("/routing/check/").content.decode()
    assert "Appeal or claim" in en and "(2) Arbitration" in en
    assert "申诉求决类" not in en and "（二）仲裁" not in en


def test_the_petition_pages_topic_panel_is_in_the_readers_language(client, world, register):
    p = register().petition
    topic_decide(
        petition=p,
        topic=_topic("环境保护"),
        actor=world.clerk,
        suggestion=ShownSuggestion("城乡建设", 0.9, "v1"),
        at_intake=True,
    )
    client.force_login(world.clerk)
    zh = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "<strong>环境保护</strong>" in zh and "系统建议“城乡建设”" in zh
    _english(client)
    en = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "<strong>Environmental protection</strong>" in en
    assert "Urban and rural construction" in en  # the suggestion it changed
    assert "Appeal or claim" in en
    for word in CHINESE:
        assert word not in en, word


def test_the_intake_desk_offers_topics_and_suggests_them_in_the_readers_language(
    client, world, monkeypatch
):
    fake = FakeClassifier({"环境保护": ["油烟", "噪声"], "城乡建设": ["物业"]})
    monkeypatch.setattr("xinfang.insight.classify.suggest._model", lambda path=None: fake)
    client.force_login(world.clerk)
    _english(client)
    desk = client.get("/intake/letter/").content.decode()
    assert f'<option value="{_topic("环境保护").pk}">Environmental protection</option>' in desk
    hint = client.post(
        "/intake/similar/",
        {"title": "餐馆油烟噪声", "content": "油烟噪声扰民", "region_code": "990102"},
    ).content.decode()
    assert "<strong>Environmental protection</strong>" in hint
    assert 'data-label="环境保护"' in hint  # the model's own label, posted back as it came
    assert "<strong>环境保护</strong>" not in hint


def test_a_topic_an_administrator_added_keeps_its_name_and_a_full_name_is_translated_by_part():
    own = Topic.objects.create(name="物业管理", parent=_topic("城乡建设"))
    from django.utils import translation

    with translation.override("en"):
        assert own.full_label == "Urban and rural construction / 物业管理"
        assert topic_label("") == "" and topic_label("其他") == "Other"
    with translation.override("zh-hans"):
        assert own.full_label == "城乡建设 / 物业管理"


def test_every_default_topic_has_its_english_name():
    import importlib

    from django.utils import translation

    from xinfang.insight.models import DEFAULT_TOPIC_NAMES

    seeded = importlib.import_module("xinfang.insight.migrations.0002_topics_seed").DEFAULT_TOPICS
    assert sorted(seeded) == sorted(DEFAULT_TOPIC_NAMES)
    with translation.override("en"):
        untranslated = [n for n in DEFAULT_TOPIC_NAMES if topic_label(n) == n]
    assert untranslated == []


def test_the_trends_page_names_transfers_and_assignments_in_the_readers_language(
    client, world, register
):
    """The Art. 41 table of dispatches printed 转送 / 交办 on the English trends page."""
    from conftest import local
    from tests.flows import act
    from xinfang.analytics.dispatch import dispatch_rebuild

    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    dispatch_rebuild()
    client.force_login(world.analyst)
    url = "/analytics/trends/?month_from=2025-01&month_to=2025-12"
    assert '<th scope="row">转送</th>' in client.get(url).content.decode()
    _english(client)
    en = client.get(url).content.decode()
    assert '<th scope="row">Transfer</th>' in en and '<th scope="row">Assignment</th>' in en
    assert '<th scope="row">转送</th>' not in en and '<th scope="row">交办</th>' not in en
