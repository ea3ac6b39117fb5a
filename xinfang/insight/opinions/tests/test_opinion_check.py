"""Art. 32 opinion check: each missing part is named; a complete opinion passes (no Django)."""

from __future__ import annotations

import pytest

from xinfang.insight.opinions.opinion_check import check_opinion

REQUEST = "信访人请求依法处理小区楼下餐馆油烟噪声扰民问题。"
FACTS = "经查，三家餐馆均未安装油烟净化设施，夜间噪声超标。"
DECISION = "决定予以支持，责令限期整改。"
BASIS = "根据《中华人民共和国大气污染防治法》第八十一条"
REMEDY = "信访人对处理意见不服的，可以自收到书面答复之日起30日内请求东湖市人民政府复查。"


def codes(missing):
    return [m.code for m in missing]


def test_a_complete_opinion_misses_nothing():
    assert check_opinion(REQUEST + FACTS + DECISION, legal_basis=BASIS, remedy=REMEDY) == []


def test_an_empty_opinion_misses_every_part_in_reading_order():
    assert codes(check_opinion("")) == [
        "request",
        "facts",
        "decision",
        "legal_basis",
        "remedy_route",
        "remedy_limit",
    ]


def test_an_opinion_without_the_facts_is_told_so():
    assert codes(check_opinion(REQUEST + DECISION, legal_basis=BASIS, remedy=REMEDY)) == ["facts"]


def test_an_opinion_without_the_request_is_told_so():
    assert codes(check_opinion(FACTS + DECISION, legal_basis=BASIS, remedy=REMEDY)) == ["request"]


def test_the_chosen_outcome_states_the_decision_even_if_the_text_does_not():
    text = REQUEST + FACTS + "责令限期整改。"
    assert codes(check_opinion(text, legal_basis=BASIS, remedy=REMEDY)) == ["decision"]
    assert check_opinion(text, decision="not_support", legal_basis=BASIS, remedy=REMEDY) == []
    assert check_opinion(text, decision="解释说明", legal_basis=BASIS, remedy=REMEDY) == []


def test_an_unknown_outcome_does_not_count_as_a_decision():
    text = REQUEST + FACTS + "责令限期整改。"
    assert "decision" in codes(check_opinion(text, decision="maybe", legal_basis=BASIS))


@pytest.mark.parametrize(
    "basis",
    ["《信访工作条例》", "第三十二条", "依据国务院有关文件精神", "根据《物业管理条例》第十条"],
)
def test_a_cited_law_an_article_or_a_stated_basis_counts_as_legal_basis(basis):
    assert "legal_basis" not in codes(check_opinion(REQUEST, legal_basis=basis))


@pytest.mark.parametrize("basis", ["", "无", "见上"])
def test_an_empty_or_token_legal_basis_is_missing(basis):
    assert "legal_basis" in codes(check_opinion(REQUEST + FACTS + DECISION, legal_basis=basis))


def test_a_law_cited_in_the_text_counts_when_there_is_no_basis_field():
    text = REQUEST + FACTS + "依照《信访工作条例》第三十二条，" + DECISION
    assert "legal_basis" not in codes(check_opinion(text))


def test_the_words_according_to_the_petitioner_are_not_a_legal_basis():
    text = "根据信访人反映，" + REQUEST + FACTS + DECISION
    assert "legal_basis" in codes(check_opinion(text))


def test_the_remedy_needs_the_route_the_period_and_its_start():
    base = REQUEST + FACTS + DECISION
    no_route = "不服的，可以自收到书面答复之日起三十日内提出。"
    assert codes(check_opinion(base, legal_basis=BASIS, remedy=no_route)) == ["remedy_route"]
    no_start = "不服的，可以在三十日内请求复查。"
    assert codes(check_opinion(base, legal_basis=BASIS, remedy=no_start)) == ["remedy_limit"]
    no_days = "不服的，可以自收到书面答复之日起请求复查。"
    assert codes(check_opinion(base, legal_basis=BASIS, remedy=no_days)) == ["remedy_limit"]


def test_full_width_digits_and_spaces_are_read_as_usual():
    remedy = "不服的，可以自 收到 本意见 之日起 ３０ 日内 请求复核。"
    assert check_opinion(REQUEST + FACTS + DECISION, legal_basis=BASIS, remedy=remedy) == []


def test_the_remedy_may_also_be_written_in_the_text():
    assert check_opinion(REQUEST + FACTS + DECISION + REMEDY, legal_basis=BASIS) == []


def test_each_missing_part_says_how_to_state_it():
    for m in check_opinion(""):
        assert m.label and m.hint
