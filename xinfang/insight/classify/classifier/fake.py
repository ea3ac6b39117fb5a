"""A deterministic stand-in for tests and demos: a keyword table (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from xinfang.insight.classify.classifier.base import Suggestion
from xinfang.insight.text import _clean

DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("物业", "小区", "拆迁", "房屋", "业主", "违建", "供水", "燃气", "规划", "施工"),
    "劳动和社会保障": ("工资", "社保", "养老", "医保", "公积金", "劳动", "退休", "失业", "拖欠"),
    "教育文体": ("学校", "学生", "教师", "老师", "幼儿园", "招生", "教育", "学费", "体育"),
    "商贸旅游": ("商家", "消费", "价格", "传销", "诈骗", "旅游", "市场", "超市", "退款"),
    "环境保护": ("污染", "噪音", "排放", "环保", "污水", "垃圾焚烧", "扬尘", "废气", "异味"),
    "卫生计生": ("医院", "医生", "患者", "卫生", "生育", "计生", "疫苗", "药品", "二胎"),
    "交通运输": ("公交", "出租车", "道路", "交通", "客运", "公路", "驾驶", "高速", "车辆"),
}


class FakeClassifier:
    """Keyword-table classifier: deterministic, instant, no training.  For tests and demos.

    Score of a label = occurrences of its keywords in the title (counted twice) and the body.
    The best score wins; ties go to the label listed first.  With no keyword at all, the first
    label (or ``default``) is suggested with confidence 0.
    """

    def __init__(
        self,
        keywords: Mapping[str, Sequence[str]] | None = None,
        default: str | None = None,
    ) -> None:
        table = DEFAULT_KEYWORDS if keywords is None else keywords
        if not table:
            raise ValueError("keyword table is empty")
        self._table = {str(k): tuple(v) for k, v in table.items()}
        self.labels: tuple[str, ...] = tuple(self._table)
        if default is not None and default not in self.labels:
            raise ValueError(f"default label {default!r} is not in the table")
        self._default = default if default is not None else self.labels[0]
        digest = hashlib.sha256(
            json.dumps([self._table, self._default], ensure_ascii=False).encode()
        ).hexdigest()
        self.version = f"fake-{digest[:12]}"

    def suggest(self, title: str, body: str) -> Suggestion:
        t, b = _clean(title), _clean(body)
        scores: list[float] = []
        hits: list[list[tuple[int, str]]] = []
        for words in self._table.values():
            found = [(2 * t.count(w) + b.count(w), w) for w in words if w and (w in t or w in b)]
            hits.append(found)
            scores.append(float(sum(n for n, _ in found)))
        total = sum(scores)
        if total == 0:
            return Suggestion(self._default, 0.0, ())
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        terms = tuple(w for _, w in sorted(hits[best], key=lambda nw: (-nw[0], nw[1])))[:5]
        return Suggestion(self.labels[best], scores[best] / total, terms)

    def suggest_many(self, rows: Iterable[tuple[str, str]]) -> list[Suggestion]:
        return [self.suggest(t, b) for t, b in rows]
