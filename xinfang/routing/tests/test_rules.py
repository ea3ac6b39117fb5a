"""The routing matcher (xinfang/routing/rules.py), with no database.

Planted faults each of these tests catches (rerun by hand when the matcher changes):
- nearer region not preferred (rank by region reversed): test_a_rule_of_the_matters_own_region_wins
- specificity ignored: test_within_one_region_the_rule_that_says_more_wins
- accused organ not skipped: test_an_accused_organ_is_never_chosen
- litigation track not enforced: test_litigation_matters_go_only_to_political_legal_organs
- conflict resolved silently by id: test_two_rules_of_one_rank_naming_different_organs_conflict
"""

from __future__ import annotations

import itertools

import pytest

from xinfang.routing.rules import (
    KIND_COMPETENT,
    KIND_DISCIPLINE,
    KIND_PETITION_OFFICE,
    KIND_POLITICAL_LEGAL,
    Matter,
    Rule,
    route_matter,
    rules_check,
)

COUNTY = ("990102", "990100", "990000")
OTHER_COUNTY = ("990103", "990100", "990000")


def rule(id: int, organ: int, **kw) -> Rule:
    kw.setdefault("organ_kind", KIND_COMPETENT)
    return Rule(id=id, organ_id=organ, **kw)


def test_a_rule_of_the_matters_own_region_wins_over_the_region_above():
    rules = [
        rule(1, 100, region_code="990100", category="appeal"),
        rule(2, 200, region_code="990102", category="appeal"),
        rule(3, 300, region_code="", category="appeal"),
    ]
    decision = route_matter(Matter(region_chain=COUNTY, category="appeal"), rules)
    assert decision.organ_id == 200
    assert decision.rule.id == 2
    assert "本地区规则" in decision.reasons[0]


def test_a_region_without_its_own_rule_inherits_the_nearest_one_above():
    rules = [
        rule(1, 100, region_code="990000", category="appeal"),
        rule(2, 200, region_code="990100", category="appeal"),
        rule(3, 300, region_code="990102", category="appeal"),
    ]
    decision = route_matter(Matter(region_chain=OTHER_COUNTY, category="appeal"), rules)
    assert decision.organ_id == 200
    assert "上级地区" in decision.reasons[0]


def test_a_rule_of_another_branch_of_the_tree_never_applies():
    rules = [rule(1, 100, region_code="990102")]
    decision = route_matter(Matter(region_chain=OTHER_COUNTY, category="appeal"), rules)
    assert decision.is_gap
    assert decision.organ_id is None


def test_the_installation_wide_rule_is_the_last_resort():
    rules = [rule(1, 100, region_code="")]
    decision = route_matter(Matter(region_chain=COUNTY, category="suggestion"), rules)
    assert decision.organ_id == 100
    assert "全辖区规则" in decision.reasons[0]


def test_within_one_region_the_rule_that_says_more_wins():
    rules = [
        rule(1, 100, region_code="990102"),
        rule(2, 200, region_code="990102", category="appeal"),
        rule(3, 300, region_code="990102", category="appeal", topic_id=7),
    ]
    assert route_matter(Matter(region_chain=COUNTY, category="appeal"), rules).organ_id == 200
    with_topic = Matter(region_chain=COUNTY, category="appeal", topic_ids=frozenset({7, 1}))
    assert route_matter(with_topic, rules).organ_id == 300
    other = Matter(region_chain=COUNTY, category="suggestion")
    assert route_matter(other, rules).organ_id == 100


def test_nearness_of_region_outranks_how_much_a_rule_says():
    rules = [
        rule(1, 100, region_code="990102"),
        rule(2, 200, region_code="990100", category="appeal", route=6, topic_id=7),
    ]
    matter = Matter(region_chain=COUNTY, category="appeal", route=6, topic_ids=frozenset({7}))
    assert route_matter(matter, rules).organ_id == 100


def test_keywords_match_any_word_in_the_text():
    rules = [
        rule(1, 100, region_code="990102"),
        rule(2, 200, region_code="990102", keywords=("拖欠工资", "欠薪")),
    ]
    assert route_matter(Matter(region_chain=COUNTY, text="工地欠薪三个月"), rules).organ_id == 200
    assert route_matter(Matter(region_chain=COUNTY, text="道路破损"), rules).organ_id == 100


def test_two_rules_of_one_rank_naming_different_organs_conflict():
    rules = [
        rule(1, 100, region_code="990102", category="appeal"),
        rule(2, 200, region_code="990102", category="appeal"),
    ]
    decision = route_matter(Matter(region_chain=COUNTY, category="appeal"), rules)
    assert decision.is_conflict and not decision.is_gap
    assert decision.organ_id is None
    assert {r.id for r in decision.conflicting} == {1, 2}


def test_two_rules_of_one_rank_naming_the_same_organ_do_not_conflict():
    rules = [
        rule(1, 100, region_code="990102", category="appeal"),
        rule(2, 100, region_code="990102", route=6),
    ]
    decision = route_matter(Matter(region_chain=COUNTY, category="appeal", route=6), rules)
    assert decision.organ_id == 100 and decision.rule.id == 1


def test_an_accused_organ_is_never_chosen_and_the_skip_is_explained():
    rules = [
        rule(1, 100, region_code="990102", category="accusation"),
        rule(2, 200, region_code="990100", category="accusation", organ_kind=KIND_DISCIPLINE),
    ]
    matter = Matter(region_chain=COUNTY, category="accusation", accused_organ_ids=frozenset({100}))
    decision = route_matter(matter, rules)
    assert decision.organ_id == 200
    assert decision.action == "refer_discipline"
    assert any("被检举控告单位" in r for r in decision.reasons)


def test_a_matter_accusing_the_only_organ_is_a_gap_not_that_organ():
    rules = [rule(1, 100, region_code="")]
    matter = Matter(region_chain=COUNTY, category="accusation", accused_organ_ids=frozenset({100}))
    decision = route_matter(matter, rules)
    assert decision.is_gap
    assert decision.organ_id is None


def test_litigation_matters_go_only_to_political_legal_organs():
    rules = [
        rule(1, 100, region_code="990102", category="appeal"),
        rule(2, 200, region_code="990100", organ_kind=KIND_POLITICAL_LEGAL),
    ]
    litigation = Matter(region_chain=COUNTY, category="appeal", route=1)
    decision = route_matter(litigation, rules)
    assert decision.organ_id == 200
    assert decision.action == "refer_legal"
    assert any("涉法涉诉" in r for r in decision.reasons)
    ordinary = Matter(region_chain=COUNTY, category="appeal", route=6)
    assert route_matter(ordinary, rules).organ_id == 100


def test_the_action_follows_the_kind_of_the_organ_chosen():
    for kind, action in [
        (KIND_COMPETENT, "transfer"),
        (KIND_PETITION_OFFICE, "transfer"),
        (KIND_DISCIPLINE, "refer_discipline"),
        (KIND_POLITICAL_LEGAL, "refer_legal"),
    ]:
        decision = route_matter(Matter(region_chain=COUNTY), [rule(1, 9, organ_kind=kind)])
        assert decision.action == action


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_the_answer_does_not_depend_on_the_order_of_the_rows(order):
    rows = [
        rule(1, 100, region_code="990000"),
        rule(2, 200, region_code="990100", category="appeal"),
        rule(3, 300, region_code="990102", category="appeal", route=6),
        rule(4, 400, region_code="990102", category="appeal"),
    ]
    shuffled = [rows[i] for i in order]
    matter = Matter(region_chain=COUNTY, category="appeal", route=6)
    assert route_matter(matter, shuffled).organ_id == 300


def test_the_rule_check_lists_gaps_and_conflicts_for_every_cell():
    rules = [
        rule(1, 100, region_code="990100", category="appeal"),
        rule(2, 200, region_code="990102", category="suggestion"),
        rule(3, 300, region_code="990102", category="suggestion"),
    ]
    rows = rules_check(
        regions=[COUNTY, OTHER_COUNTY],
        cells=[("appeal", 6), ("suggestion", None), ("accusation", None)],
        rules=rules,
    )
    assert len(rows) == 6
    found = {(r.region_code, r.category): r.decision for r in rows}
    assert found[("990102", "appeal")].organ_id == 100
    assert found[("990102", "suggestion")].is_conflict
    assert found[("990103", "suggestion")].is_gap
    assert found[("990102", "accusation")].is_gap
    assert found[("990103", "appeal")].organ_id == 100


def test_an_accused_organs_rule_is_replaced_by_the_same_rule_of_the_region_above():
    rules = [
        rule(1, 100, region_code="990102"),  # the county government: whatever else
        rule(2, 200, region_code="990102", category="accusation", organ_kind=KIND_DISCIPLINE),
        rule(3, 300, region_code="990100", category="accusation", organ_kind=KIND_DISCIPLINE),
    ]
    matter = Matter(region_chain=COUNTY, category="accusation", accused_organ_ids=frozenset({200}))
    decision = route_matter(matter, rules)
    assert decision.organ_id == 300
    assert decision.action == "refer_discipline"
    assert "上级地区的同类规则" in decision.reasons[0]
    other = Matter(region_chain=COUNTY, category="accusation")
    assert route_matter(other, rules).organ_id == 200


def test_only_the_nearest_region_above_replaces_an_accused_organs_rule():
    rules = [
        rule(2, 200, region_code="990102", category="accusation", organ_kind=KIND_DISCIPLINE),
        rule(3, 300, region_code="990100", category="accusation", organ_kind=KIND_DISCIPLINE),
        rule(4, 400, region_code="990000", category="accusation", organ_kind=KIND_DISCIPLINE),
        rule(5, 500, region_code="990102"),
    ]
    matter = Matter(region_chain=COUNTY, category="accusation", accused_organ_ids=frozenset({200}))
    assert route_matter(matter, rules).organ_id == 300
    both = Matter(
        region_chain=COUNTY, category="accusation", accused_organ_ids=frozenset({200, 300})
    )
    assert route_matter(both, rules).organ_id == 400
