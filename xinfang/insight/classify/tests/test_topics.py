"""Topics, the recorded topic decision, the organ hint and training on the deployment's own
decisions (issue 5 A). Django + database; the model is a fake where it is not what is tested."""

from __future__ import annotations

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import ApplicationError
from xinfang.insight.classify.selectors import (
    organ_hints_for,
    topic_choices,
    topic_for_label,
    topic_training_rows,
    user_may_change_topic,
)
from xinfang.insight.classify.services import ShownSuggestion, topic_decide
from xinfang.insight.models import Topic, TopicDecision, TopicOutcome

pytestmark = [pytest.mark.django_db]

DEFAULT = [
    "城乡建设",
    "劳动和社会保障",
    "教育文体",
    "卫生计生",
    "环境保护",
    "交通运输",
    "商贸旅游",
    "农村农业",
    "政法",
    "民政",
    "国土资源",
    "经济管理",
    "科技与信息产业",
    "党务政务",
    "其他",
]


def topic(name: str) -> Topic:
    return Topic.objects.get(name=name, parent=None)


def test_the_default_first_level_topic_tree_is_seeded_in_order():
    assert [c.topic.name for c in topic_choices()] == DEFAULT
    assert all(c.depth == 1 for c in topic_choices())


def test_sub_topics_are_listed_under_their_parent_and_inactive_ones_are_hidden():
    env = topic("环境保护")
    air = Topic.objects.create(name="大气污染", parent=env, sort_order=1)
    Topic.objects.create(name="噪声污染", parent=env, sort_order=2, is_active=False)
    names = [(c.label, c.depth) for c in topic_choices()]
    i = names.index(("环境保护", 1))
    assert names[i + 1] == ("　大气污染", 2)
    assert ("　噪声污染", 2) not in names
    assert air.full_name == "环境保护 / 大气污染"
    assert topic_for_label(label="大气污染") == air
    assert topic_for_label(label="环境保护 / 大气污染") == air
    assert topic_for_label(label="不存在的分类") is None


def test_a_fourth_level_topic_is_refused():
    from django.core.exceptions import ValidationError

    a = Topic.objects.create(name="二级", parent=topic("民政"))
    b = Topic.objects.create(name="三级", parent=a)
    with pytest.raises(ValidationError):
        Topic(name="四级", parent=b).full_clean()


def test_confirming_the_suggestion_records_it_with_the_model_and_an_audit_record(world, register):
    p = register().petition
    shown = ShownSuggestion("环境保护", 0.82, "v1-abc", ("油烟", "噪声"))
    d = topic_decide(
        petition=p, topic=topic("环境保护"), actor=world.clerk, suggestion=shown, at_intake=True
    )
    d.refresh_from_db()
    assert (d.outcome, d.suggested_label, d.confidence, d.model_version, d.top_terms) == (
        TopicOutcome.CONFIRMED,
        "环境保护",
        0.82,
        "v1-abc",
        ["油烟", "噪声"],
    )
    assert (d.decided_by, d.decided_by_organ, d.at_intake) == (world.clerk, world.county_po, True)
    rec = AuditRecord.objects.filter(kind="petition.topic").get()
    assert rec.object_id == str(p.pk) and rec.data["outcome"] == "confirmed"


def test_choosing_another_topic_than_suggested_is_recorded_as_changed(world, register):
    p = register().petition
    d = topic_decide(
        petition=p,
        topic=topic("城乡建设"),
        actor=world.clerk,
        suggestion=ShownSuggestion("环境保护", 0.4, "v1"),
    )
    assert d.outcome == TopicOutcome.CHANGED and d.suggested_label == "环境保护"


def test_without_a_suggestion_the_choice_is_manual(world, register):
    p = register().petition
    d = topic_decide(petition=p, topic=topic("民政"), actor=world.clerk)
    assert d.outcome == TopicOutcome.MANUAL and d.suggested_label == ""


def test_a_later_change_keeps_what_was_suggested_at_intake(world, register):
    p = register().petition
    topic_decide(
        petition=p,
        topic=topic("环境保护"),
        actor=world.clerk,
        suggestion=ShownSuggestion("环境保护", 0.9, "v1"),
        at_intake=True,
    )
    d = topic_decide(petition=p, topic=topic("城乡建设"), actor=world.handler)
    assert TopicDecision.objects.count() == 1
    assert (d.topic.name, d.outcome, d.suggested_label, d.at_intake) == (
        "城乡建设",
        "changed",
        "环境保护",
        False,
    )
    assert d.decided_by == world.handler
    audit = list(AuditRecord.objects.filter(kind="petition.topic").order_by("seq"))
    assert len(audit) == 2 and audit[1].data["from_topic_id"] == topic("环境保护").pk


def test_an_inactive_topic_cannot_be_chosen(world, register):
    p = register().petition
    old = Topic.objects.create(name="旧分类", is_active=False)
    with pytest.raises(ApplicationError):
        topic_decide(petition=p, topic=old, actor=world.clerk)
    assert not TopicDecision.objects.exists()


def test_only_staff_of_the_holding_or_handling_organ_may_change_the_topic(world, register):
    p = register().petition  # held by the county petition office
    assert user_may_change_topic(user=world.clerk, petition=p)
    assert not user_may_change_topic(user=world.handler, petition=p)
    assert not user_may_change_topic(user=world.analyst, petition=p)  # no handling role


# --- training rows ------------------------------------------------------------------------


def test_training_rows_are_the_petitions_with_a_decided_topic_labelled_by_its_name(world, register):
    a = register(title="餐馆油烟", category="appeal").petition
    b = register(title="拖欠工资").petition
    register(title="没有分类的")  # no decision: not training data
    topic_decide(petition=a, topic=topic("环境保护"), actor=world.clerk)
    topic_decide(petition=b, topic=topic("劳动和社会保障"), actor=world.clerk)
    rows = sorted(topic_training_rows(), key=lambda r: r["title"])
    assert [(r["title"], r["label"]) for r in rows] == [
        ("拖欠工资", "劳动和社会保障"),
        ("餐馆油烟", "环境保护"),
    ]
    assert all(r["label"] != "appeal" for r in rows)  # never the legal category


def test_decisions_on_deactivated_topics_are_not_trained_on(world, register):
    p = register().petition
    t = Topic.objects.create(name="临时分类")
    topic_decide(petition=p, topic=t, actor=world.clerk)
    t.is_active = False
    t.save()
    assert topic_training_rows() == []


def test_train_without_a_csv_learns_the_topics_people_decided(world, register, tmp_path, capsys):
    from xinfang.cli import main
    from xinfang.insight.classify.classifier import LinearTextClassifier

    texts = {
        "环境保护": ["餐馆油烟噪声扰民", "工厂排污河水发臭", "工地扬尘空气污染"],
        "劳动和社会保障": ["公司拖欠工资讨薪", "单位不缴社保", "工伤认定没有结果"],
    }
    for name, titles in texts.items():
        for t in titles * 2:
            p = register(title=t, content=t + "，请求处理。").petition
            topic_decide(petition=p, topic=topic(name), actor=world.clerk)
    model = tmp_path / "m.joblib"
    assert main(["insight", "train", "--model", str(model)]) == 0
    assert "已训练 12 条、2 个类别" in capsys.readouterr().out
    assert set(LinearTextClassifier.load(model).labels) == set(texts)


# --- the responsible-organ hint ------------------------------------------------------------


def _handled(register, world, *, organ, name, region="990102", transfer_only=False):
    from xinfang.petitions.models import Petition

    p = register(region_code=region).petition
    topic_decide(petition=p, topic=topic(name), actor=world.clerk)
    if transfer_only:
        Petition.objects.filter(pk=p.pk).update(current_organ=organ, handling_organ=None)
    else:
        Petition.objects.filter(pk=p.pk).update(current_organ=organ, handling_organ=organ)
    return p


def test_the_organ_hint_ranks_the_organs_that_handled_the_topic_in_the_region(world, register):
    for _ in range(3):
        _handled(register, world, organ=world.housing, name="城乡建设")
    _handled(register, world, organ=world.county_gov, name="城乡建设", transfer_only=True)
    _handled(register, world, organ=world.court, name="政法")  # another topic: not counted
    hints = organ_hints_for(user=world.clerk, topic=topic("城乡建设"), region_code="990102")
    assert hints.region == world.county and not hints.fallback and hints.total == 4
    assert [(h.organ, h.count, h.share) for h in hints.items] == [
        (world.housing, 3, 0.75),
        (world.county_gov, 1, 0.25),
    ]


def test_without_history_in_the_region_the_parent_region_is_used(world, register):
    from xinfang.directory.models import Level, Region

    other = Region.objects.create(
        code="990103", name="白水县", level=Level.COUNTY, parent=world.city
    )
    _handled(register, world, organ=world.city_housing, name="城乡建设", region="990102")
    hints = organ_hints_for(user=world.city_clerk, topic=topic("城乡建设"), region_code=other.code)
    assert hints.region == world.city and hints.fallback
    assert [h.organ for h in hints.items] == [world.city_housing]


def test_a_parent_topic_counts_its_sub_topics(world, register):
    sub = Topic.objects.create(name="物业管理", parent=topic("城乡建设"))
    p = register().petition
    topic_decide(petition=p, topic=sub, actor=world.clerk)
    hints = organ_hints_for(user=world.clerk, topic=topic("城乡建设"), region_code="990102")
    assert hints.total == 1


def test_no_topic_or_no_history_gives_no_hint(world, register):
    assert organ_hints_for(user=world.clerk, topic=None, region_code="990102").items == []
    assert (
        organ_hints_for(user=world.clerk, topic=topic("教育文体"), region_code="990102").items == []
    )
    assert organ_hints_for(user=world.clerk, topic=topic("教育文体"), region_code="").items == []
