"""PURE: routing rules over the organ tree (属地管理、分级负责，谁主管、谁负责, Art. 5).

A rule maps (category, Art. 31 route, region, optional topic and keywords) to the organ
responsible. The matcher takes the rules as plain rows and the matter as plain values and
answers with one organ and the reasons, or with a gap or a conflict. It imports no Django:
its tests run over every row with no database.

Ranking, as the law's "属地" reads in practice:
- a rule of the matter's own region beats one of the region above it, which beats one of the
  region above that, and so on up to a rule for the whole installation (region "");
- within one region, the rule that says more beats one that says less (each of category,
  route, topic and keywords that the rule fixes counts one);
- two rules of the same rank that name different organs are a conflict: the matcher names
  both and chooses neither, so a person decides and the administrators fix the table.

Tracks the law fixes whatever the table says:
- a 申诉求决 matter on route 1 (涉法涉诉: litigation, procuratorate, public security) goes to a
  political-legal organ (Art. 22 para 2, Art. 31(1)): rules naming other organs are skipped;
- an organ a matter accuses never receives it (Art. 30 para 3; Art. 46(5)): a rule naming an
  accused organ is skipped, the skip is given as a reason, and the rule of the same terms in the
  nearest region above takes its place (an accusation against a county's discipline organ goes
  to the city's, not to whatever else the county's table says).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# The organ kinds of directory.OrganKind, as plain strings (this module imports no models).
KIND_PETITION_OFFICE = "petition_office"
KIND_COMPETENT = "competent"
KIND_POLITICAL_LEGAL = "political_legal"
KIND_DISCIPLINE = "discipline"

APPEAL = "appeal"
ACCUSATION = "accusation"
ROUTE_LITIGATION = 1

# What a petition office does with the matter, by the kind of the organ chosen (Art. 22).
ACTION_BY_KIND = {
    KIND_POLITICAL_LEGAL: "refer_legal",
    KIND_DISCIPLINE: "refer_discipline",
    KIND_COMPETENT: "transfer",
    KIND_PETITION_OFFICE: "transfer",
}


@dataclass(frozen=True)
class Rule:
    """One row of the routing table. Empty fields match anything."""

    id: int
    organ_id: int
    organ_kind: str
    organ_label: str = ""
    region_code: str = ""  # "" = the whole installation
    category: str = ""
    route: int | None = None
    topic_id: int | None = None
    keywords: tuple[str, ...] = ()
    # how a person reads the fixed values (the selectors fill them; the codes otherwise)
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def terms(self) -> tuple[object, ...]:
        """What the rule fixes besides its region and organ."""
        return (self.category, self.route, self.topic_id, self.keywords)

    @property
    def specificity(self) -> int:
        return sum(
            (
                bool(self.category),
                self.route is not None,
                self.topic_id is not None,
                bool(self.keywords),
            )
        )

    def describe(self) -> str:
        said = dict(self.labels)
        parts = [f"规则 {self.id}"]
        parts.append(said.get("region", self.region_code) if self.region_code else "全辖区")
        if self.category:
            parts.append(said.get("category", self.category))
        if self.route is not None:
            parts.append(said.get("route", f"第三十一条第（{self.route}）项"))
        if self.topic_id is not None:
            parts.append(said.get("topic", f"分类 {self.topic_id}"))
        if self.keywords:
            parts.append("关键词 " + "、".join(self.keywords))
        return "，".join(parts)


@dataclass(frozen=True)
class Matter:
    """What the matcher knows of a petition.

    ``region_chain`` is the matter's region code first, then each region above it, nearest
    first (e.g. ("990102", "990100", "990000")). ``topic_ids`` holds the chosen topic and its
    ancestors, so a rule on a parent topic matches a child topic."""

    region_chain: tuple[str, ...]
    category: str = ""
    route: int | None = None
    topic_ids: frozenset[int] = frozenset()
    text: str = ""
    accused_organ_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Decision:
    """The answer: ``organ_id`` and the ``rule`` that chose it, or a gap (no rule) or a
    conflict (``conflicting`` rules of the same rank naming different organs)."""

    organ_id: int | None
    rule: Rule | None
    action: str | None
    reasons: tuple[str, ...]
    conflicting: tuple[Rule, ...] = field(default=())

    @property
    def is_gap(self) -> bool:
        return self.organ_id is None and not self.conflicting

    @property
    def is_conflict(self) -> bool:
        return bool(self.conflicting)


def region_rank(rule: Rule, chain: Sequence[str]) -> int | None:
    """0 for a rule of the matter's own region, 1 for the region above …, len(chain) for a
    rule of the whole installation; None when the rule's region is not on the chain."""
    if not rule.region_code:
        return len(chain)
    try:
        return list(chain).index(rule.region_code)
    except ValueError:
        return None


def rule_matches(rule: Rule, matter: Matter) -> bool:
    """Whether each field the rule fixes agrees with the matter (region aside)."""
    if rule.category and rule.category != matter.category:
        return False
    if rule.route is not None and rule.route != matter.route:
        return False
    if rule.topic_id is not None and rule.topic_id not in matter.topic_ids:
        return False
    if rule.keywords and not any(k and k in matter.text for k in rule.keywords):
        return False
    return True


def _kind_allowed(rule: Rule, matter: Matter) -> bool:
    """Art. 31(1), Art. 22 para 2: 涉法涉诉 goes to the political-legal organs only."""
    if matter.category == APPEAL and matter.route == ROUTE_LITIGATION:
        return rule.organ_kind == KIND_POLITICAL_LEGAL
    return True


def route_matter(matter: Matter, rules: Iterable[Rule]) -> Decision:
    """Choose the organ for ``matter`` from ``rules``; see the module's docstring."""
    reasons: list[str] = []
    ranked: list[tuple[tuple[int, int], Rule]] = []
    replaced: dict[tuple[object, ...], int] = {}  # terms of a skipped accused organ's rule: rank
    for rule in rules:
        rank = region_rank(rule, matter.region_chain)
        if rank is None or not rule_matches(rule, matter):
            continue
        if not _kind_allowed(rule, matter):
            reasons.append(
                f"{rule.describe()}：涉法涉诉事项只能移送政法机关（第二十二条第二款、第三十一条第一项），跳过"
            )
            continue
        if rule.organ_id in matter.accused_organ_ids:
            reasons.append(
                f"{rule.describe()}：该机关是被检举控告单位，不得转送（第三十条第三款），跳过"
            )
            replaced[rule.terms] = min(rank, replaced.get(rule.terms, rank))
            continue
        ranked.append(((rank, -rule.specificity), rule))
    # the rule of the same terms from a region above takes the place of the skipped one
    nearest: dict[tuple[object, ...], int] = {}  # the nearest region above with those terms
    for (rank, _), r in ranked:
        if r.terms in replaced and rank > replaced[r.terms]:
            nearest[r.terms] = min(rank, nearest.get(r.terms, rank))
    ranked = [
        ((replaced[r.terms], spec), r) if nearest.get(r.terms) == rank else ((rank, spec), r)
        for (rank, spec), r in ranked
    ]
    if not ranked:
        reasons.append("没有适用的分流规则：请人工选择承办机关，并请管理员补充规则")
        return Decision(organ_id=None, rule=None, action=None, reasons=tuple(reasons))
    ranked.sort(key=lambda pair: (pair[0], pair[1].id))
    best_rank = ranked[0][0]
    best = [rule for rank, rule in ranked if rank == best_rank]
    organs = {rule.organ_id for rule in best}
    if len(organs) > 1:
        reasons.append(f"同一层级有 {len(best)} 条规则指向不同机关：请人工选择，并请管理员消除冲突")
        return Decision(
            organ_id=None, rule=None, action=None, reasons=tuple(reasons), conflicting=tuple(best)
        )
    chosen = best[0]
    own_rank = region_rank(chosen, matter.region_chain)
    why = "本地区规则" if own_rank == 0 else "上级地区的规则（本地区没有与此事项相符的规则）"
    if own_rank != best_rank[0]:
        why = "上级地区的同类规则（本地区的规则指向被检举控告单位）"
    if not chosen.region_code:
        why = "全辖区规则（各级地区均未另定）"
    reasons.insert(0, f"{chosen.describe()} → {chosen.organ_label or chosen.organ_id}：{why}")
    return Decision(
        organ_id=chosen.organ_id,
        rule=chosen,
        action=ACTION_BY_KIND.get(chosen.organ_kind, "transfer"),
        reasons=tuple(reasons),
    )


@dataclass(frozen=True)
class CheckRow:
    """One cell of the rule check: a category (and route) in a region, and its decision."""

    region_code: str
    category: str
    route: int | None
    decision: Decision


def rules_check(
    *,
    regions: Iterable[tuple[str, ...]],
    cells: Iterable[tuple[str, int | None]],
    rules: Sequence[Rule],
) -> list[CheckRow]:
    """Every (region × category/route) cell routed with no topic and no text: the rows whose
    decision is a gap or a conflict are what the administrators must fix. ``regions`` are
    region chains (own code first)."""
    rows: list[CheckRow] = []
    cell_list = list(cells)
    for chain in regions:
        for category, route in cell_list:
            matter = Matter(region_chain=tuple(chain), category=category, route=route)
            rows.append(
                CheckRow(
                    region_code=chain[0],
                    category=category,
                    route=route,
                    decision=route_matter(matter, rules),
                )
            )
    return rows
