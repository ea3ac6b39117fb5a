"""Place and organisation names in a petition's title (pure: no Django).

A hot issue is one matter in one place (regulation.md §11: analysis is about matters and
places).  Titles usually name the place right after the administrative prefix:
"投诉A2区丽发新城附近建搅拌站噪音扰民" → 丽发新城, "A7县松雅湖二小东门有交通安全隐患" → 松雅湖二小,
"西地省三星机床公司拒不还款" → 三星机床公司.  This module finds such names with a rule: after
dropping leading request words (投诉, 反映, 咨询 …) and the administrative units (省, 市, 区, 县,
街道, 镇, 乡), the shortest run of 2–10 characters that ends in a place or organisation suffix
(小区, 花园, 新城, 苑, 路, 学校, 公司 …).  It finds a name in about 7 of 10 titles of the public
board's messages; a name without such a suffix (e.g. an estate called "五矿万境") is missed,
which only means a hot issue is shown without a named place.

Names are about places and organisations, never about people: a person's name has no such
suffix, and nothing here looks at who wrote.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["place_names", "same_place", "shared_place"]

_LEAD = re.compile(
    r"^(?:关于|投诉|举报|反映|反应|咨询|询问|请求|建议|请问|请|求助|强烈要求|要求|恳请|希望|再次|"
    r"坚决反对|反对|为什么|为何|何时|市民|我要)+"
)
# administrative units: 西地省, A市, A3区, A7县, K9县, and 2–4-character 街道/镇/乡 names
_ADMIN = re.compile(
    r"[\u4e00-\u9fa5]{2,3}省|[A-Z]\d*市|[A-Z]\d+[区县]|[\u4e00-\u9fa5]{2,4}(?:街道|镇|乡)(?=[\u4e00-\u9fa5])"
)
_SUFFIXES = (
    "小区", "花园", "家园", "新城", "新村", "社区", "公馆", "广场", "大厦", "公寓", "苑", "园", "城",
    "府", "湾", "郡", "庭", "居", "村", "学校", "中学", "小学", "幼儿园", "大学", "学院", "医院",
    "卫生院", "市场", "超市", "酒店", "宾馆", "公司", "集团", "机构", "驾校", "工厂", "厂", "中心",
    "大道", "路", "街", "巷", "桥", "湖", "公园", "项目", "工地", "楼盘", "半岛", "港", "会所",
)  # fmt: skip
# a suffix that is the first half of another word is no suffix: 路灯, 城市, 城管, 园区, 街道,
# 居民, 中心小学 ("请为神农谷住宿区安装路灯" names no 安装路; "玉潭中心小学" is a school)
_PART_OF = {
    "路": "灯费", "城": "市管区乡际镇建", "园": "区林艺", "街": "道头办", "居": "民住委家",
    "港": "口", "厂": "房区长", "府": "办", "中心": "城区小医学幼",
}  # fmt: skip
_NAME = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{2,10}?(?:"
    + "|".join(
        re.escape(x) + (f"(?![{_PART_OF[x]}])" if x in _PART_OF else "")
        for x in sorted(_SUFFIXES, key=len, reverse=True)
    )
    + r")"
)
# words that show a run is a description, not a name ("小区附近搅拌站", "我们小区"), or a
# phrase cut at a suffix ("财政局拖欠社区", "呼吁政府", "严厉打击小区", "哪个社区", "2016年农村")
_NOT_A_NAME = re.compile(
    r"附近|旁边|周边|对面|门口|楼下|里面|之间|靠近|我们|我家|本人|这个|那个|没有|为什么|能|到|的|"
    r"哪个|哪些|部分|同一|所有|各个|多处|可否|是否|甚至|以及|还是|"
    r"督促|打击|调查|拖欠|呼吁|感谢|擅自|套取|拆除|彻底|安装|强行|违规|解决|整治|处理|查处|"
    r"被|把|给|让|与|及|对|局|部门|系统|政府|\d+年"
)
_GENERIC = frozenset(("小区", "社区", "学校", "公司", "医院", "市场", "物业公司", "开发商"))
# names that are kinds, not places ("双困家庭", "乡镇卫生院" would need a place before them)
_KIND = re.compile(r"(?:家庭|农村|城乡|乡镇\w*)$")


def place_names(title: str) -> tuple[str, ...]:
    """The place or organisation names a title mentions, in order (at most one per segment)."""
    text = _LEAD.sub("", (title or "").strip().lstrip("\u200b\ufeff"))
    found: list[str] = []
    for piece in _ADMIN.split(text):
        # a unit left over where a masked code repeats it ("L7县县财富中心", "A6区县洪山村")
        piece = _LEAD.sub("", piece[1:] if piece[:1] in "县区" else piece)
        m = _NAME.match(piece)
        if not m:
            continue
        name = m.group(0)
        if len(name) < 3 or name in _GENERIC or _NOT_A_NAME.search(name) or _KIND.search(name):
            continue
        if name not in found:
            found.append(name)
    return tuple(found)


def same_place(a: str, b: str) -> bool:
    """Two names of one place: equal, or one contains the other (万科魅力之城 / 魅力之城)."""
    return bool(a and b and (a in b or b in a))


def shared_place(titles: Sequence[str], share: float = 0.5) -> str:
    """The place named by at least ``share`` of the titles (counting names of the same place
    together), or "" when no place is; of spellings shared equally often, the shorter."""
    if not titles:
        return ""
    per_title = [place_names(t) for t in titles]
    counts = Counter(n for names in per_title for n in names)
    best, best_n = "", 0
    for cand, _ in counts.most_common(8):
        n = sum(any(same_place(cand, x) for x in names) for names in per_title)
        if n > best_n or (n == best_n and best and len(cand) < len(best)):
            best, best_n = cand, n
    return best if best_n >= share * len(titles) else ""
