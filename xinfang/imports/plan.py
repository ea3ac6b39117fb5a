"""One row of a petitions 台账 read as a plan: the petition and the steps it went through, each
on its original date. PURE: no Django; organs are looked up through a function given to it.

The steps follow the procedure of 信访工作条例: registration (Arts. 17-21), transfer by the
petition office (Art. 22), acceptance with its written notice (Art. 23), then by category and
route (Arts. 29-31): a 申诉求决 matter on routes (一)-(四) is led into its statutory procedure
(``channel``); route (六) gets a handling opinion (Art. 32) that is delivered, and after the
30 days for review (Art. 35) lapse the matter is archived; everything else gets a reply. Whether
the steps may follow one another is decided by the law's table when they are taken
(``petitions.services.petition_register_past``); here only what the row itself says is checked:
required fields, known values, known organs and the order of the dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from xinfang.imports.tabular import Field, RowInvalid
from xinfang.petitions.workflow import Action, Category, OpinionOutcome, Route, State

FIELDS: tuple[Field, ...] = (
    Field("row_id", "行号", True, ("编号", "序号", "原编号", "id")),
    Field("organ", "登记机关", True, ("收件机关", "受理单位")),
    Field("received", "收到日期", True, ("来信来访日期", "登记日期", "信访日期")),
    Field("channel", "信访形式", False, ("渠道", "信访渠道")),
    Field("title", "标题", True, ("事由", "信访事项")),
    Field("content", "内容", True, ("诉求", "主要诉求", "信访内容")),
    Field("region", "区划代码", True, ("问题属地代码", "行政区划代码")),
    Field("category", "类别", False, ("事项类别",)),
    Field("route", "处理途径", False, ("途径",)),
    Field("state", "状态", False, ("办理状态",)),
    Field("petitioner", "信访人", False, ("姓名", "信访人姓名")),
    Field("id_number", "证件号码", False, ("身份证号", "身份证号码")),
    Field("phone", "联系电话", False, ("电话",)),
    Field("address", "地址", False, ("住址", "联系地址")),
    Field("accused_organ", "被检举控告单位", False, ("被反映单位",)),
    Field("transferred", "转送日期", False, ()),
    Field("transferred_to", "转送机关", False, ("办理机关", "承办单位")),
    Field("accepted", "受理日期", False, ()),
    Field("answered", "答复日期", False, ("办结日期", "出具意见日期")),
    Field("outcome", "处理结果", False, ("处理意见结果",)),
    Field("answer", "答复内容", False, ("处理意见", "答复意见")),
    Field("delivered", "送达日期", False, ()),
    Field("closed", "归档日期", False, ("结案日期",)),
    Field("evaluation", "评价", False, ("满意度", "满意度评价")),
    Field("evaluated", "评价日期", False, ()),
)
LABELS = {f.key: f.label for f in FIELDS}

CHANNELS = {
    "online": "online", "网上信访": "online", "网上": "online", "网信": "online",
    "letter": "letter", "来信": "letter", "信件": "letter",
    "visit": "visit", "来访": "visit", "走访": "visit",
    "phone": "phone", "来电": "phone", "电话": "phone",
    "fax": "fax", "传真": "fax",
    "hotline": "hotline", "热线转来": "hotline", "热线": "hotline", "12345": "hotline",
}  # fmt: skip
CATEGORIES = {
    "suggestion": Category.SUGGESTION, "建议意见类": Category.SUGGESTION, "建议意见": Category.SUGGESTION,
    "accusation": Category.ACCUSATION, "检举控告类": Category.ACCUSATION, "检举控告": Category.ACCUSATION,
    "appeal": Category.APPEAL, "申诉求决类": Category.APPEAL, "申诉求决": Category.APPEAL,
}  # fmt: skip
OUTCOMES = {
    "support": OpinionOutcome.SUPPORT, "支持": OpinionOutcome.SUPPORT,
    "explain": OpinionOutcome.EXPLAIN, "解释说明": OpinionOutcome.EXPLAIN,
    "not_support": OpinionOutcome.NOT_SUPPORT, "不予支持": OpinionOutcome.NOT_SUPPORT,
}  # fmt: skip
RATINGS = {
    "satisfied": "satisfied", "满意": "satisfied",
    "basically_satisfied": "basically_satisfied", "基本满意": "basically_satisfied",
    "dissatisfied": "dissatisfied", "不满意": "dissatisfied",
}  # fmt: skip
STATES = {
    "registered": State.REGISTERED, "已登记": State.REGISTERED,
    "transferred": State.TRANSFERRED, "已转送": State.TRANSFERRED,
    "acknowledged": State.ACKNOWLEDGED, "已受理": State.ACKNOWLEDGED,
    "已受理告知": State.ACKNOWLEDGED,
    "in_handling": State.IN_HANDLING, "办理中": State.IN_HANDLING,
    "suggestion_review": State.SUGGESTION_REVIEW, "建议研究中": State.SUGGESTION_REVIEW,
    "channelled": State.CHANNELLED, "已导入法定途径": State.CHANNELLED,
    "replied": State.REPLIED, "已答复": State.REPLIED,
    "opinion_issued": State.OPINION_ISSUED, "已出具处理意见": State.OPINION_ISSUED,
    "final_no_appeal": State.FINAL_NO_APPEAL,
    "closed": State.CLOSED, "已归档": State.CLOSED, "已办结": State.CLOSED, "办结": State.CLOSED,
}  # fmt: skip
NO_TEXT = "（历史数据导入：原件见纸质档案）"
#: The date fields in the order the steps happen.
DATES = ("received", "transferred", "accepted", "answered", "delivered", "closed")


@dataclass(frozen=True)
class OrganRef:
    id: int
    is_petition_office: bool


@dataclass(frozen=True)
class Step:
    action: str
    on: date
    reason: str = ""
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    ref: str
    organ_id: int
    received: date
    channel: str
    title: str
    content: str
    region: str
    category: str
    route: int | None
    petitioner: str
    id_number: str
    phone: str
    address: str
    accused_organ_id: int | None
    steps: tuple[Step, ...]
    state: State | None  # what the row says the state is (checked after the steps)
    rating: str
    rated_on: date | None


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(text: str) -> date | None:
    """``2021-03-04``, ``2021/3/4``, ``2021.3.4``, ``2021年3月4日`` (a time after it is ignored);
    None when it is none of these or no real day."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def plan_row(
    values: dict[str, str], *, organ_of: Callable[[str], OrganRef | str], today: date
) -> Plan:
    """The plan of one row, or :class:`RowInvalid` with every reason. ``organ_of`` returns the
    organ named by a cell or the reason it cannot (unknown, ambiguous)."""
    why: list[str] = []
    v = values.get

    def organ(key: str) -> OrganRef | None:
        text = v(key, "")
        if not text:
            return None
        found = organ_of(text)
        if isinstance(found, str):
            why.append(f"{LABELS[key]}“{text}”：{found}")
            return None
        return found

    dates: dict[str, date] = {}
    for key in (*DATES, "evaluated"):
        text = v(key, "")
        if not text:
            continue
        d = parse_date(text)
        if d is None:
            why.append(f"{LABELS[key]}“{text}”不是有效日期（如 2021-03-04）")
        elif d > today:
            why.append(f"{LABELS[key]} {d} 晚于今天")
        elif d.year < 2000:
            why.append(f"{LABELS[key]} {d} 早于 2000 年")
        else:
            dates[key] = d
    last = None
    for key in DATES:
        if key in dates:
            if last is not None and dates[key] < dates[last]:
                why.append(f"{LABELS[key]} {dates[key]} 早于{LABELS[last]} {dates[last]}")
            last = key
    if "evaluated" in dates and "answered" in dates and dates["evaluated"] < dates["answered"]:
        why.append(f"评价日期 {dates['evaluated']} 早于答复日期 {dates['answered']}")

    if len(v("row_id", "")) > 100:
        why.append("行号超过 100 字")
    home = organ("organ")
    to = organ("transferred_to")
    accused = organ("accused_organ")
    channel = CHANNELS.get(v("channel", "") or "letter")
    if channel is None:
        why.append(f"信访形式“{v('channel')}”无效（网上信访、来信、来访、来电、传真、热线转来）")
    category = CATEGORIES.get(v("category", ""), "") if v("category") else ""
    if v("category") and not category:
        why.append(f"类别“{v('category')}”无效（建议意见类、检举控告类、申诉求决类）")
    route: int | None = None
    if v("route"):
        digits = v("route", "").strip("（）()第项")
        cn = "一二三四五六"
        n = cn.index(digits) + 1 if digits in cn else int(digits) if digits.isascii() and digits.isdigit() else 0
        if n not in {r.value for r in Route}:
            why.append(f"处理途径“{v('route')}”无效（第三十一条第一至六项）")
        else:
            route = n
    state = STATES.get(v("state", "")) if v("state") else None
    if v("state") and state is None:
        why.append(f"状态“{v('state')}”无法识别")
    rating = RATINGS.get(v("evaluation", ""), "") if v("evaluation") else ""
    if v("evaluation") and not rating:
        why.append(f"评价“{v('evaluation')}”无效（满意、基本满意、不满意）")
    if rating and "evaluated" not in dates:
        why.append("有评价时请填写评价日期")
    outcome = OUTCOMES.get(v("outcome", "")) if v("outcome") else None
    if v("outcome") and outcome is None:
        why.append(f"处理结果“{v('outcome')}”无效（支持、解释说明、不予支持）")
    if accused is not None and category != Category.ACCUSATION:
        why.append("只有检举控告类事项填写被检举控告单位")
    if to is not None and "transferred" not in dates:
        why.append("填写了转送机关，请填写转送日期")
    if "transferred" in dates and to is None and not why:
        why.append("填写了转送日期，请填写转送机关")
    if ("accepted" in dates or "answered" in dates) and not category:
        why.append("已受理的事项请填写类别（第二十九条至第三十一条）")
    if category == Category.APPEAL and "accepted" in dates and route is None:
        why.append("申诉求决类事项请填写处理途径（第三十一条）")
    if "answered" in dates and "accepted" not in dates:
        why.append("有答复日期时请填写受理日期")
    if ("delivered" in dates or "closed" in dates) and "answered" not in dates:
        why.append("有送达或归档日期时请填写答复日期")
    if why:
        raise RowInvalid(why)
    assert home is not None  # required, so it was found or reported
    steps = _steps(dates, to=to, category=category, route=route, outcome=outcome,
                   answer=v("answer", ""), title=v("title", ""), content=v("content", ""))  # fmt: skip
    return Plan(
        ref=v("row_id", ""), organ_id=home.id, received=dates["received"], channel=channel or "",
        title=v("title", ""), content=v("content", ""), region=v("region", ""), category=category,
        route=route, petitioner=v("petitioner", ""), id_number=v("id_number", ""),
        phone=v("phone", ""), address=v("address", ""),
        accused_organ_id=accused.id if accused else None, steps=tuple(steps), state=state,
        rating=rating, rated_on=dates.get("evaluated"),
    )  # fmt: skip


def _steps(
    dates: dict[str, date],
    *,
    to: OrganRef | None,
    category: str,
    route: int | None,
    outcome: str | None,
    answer: str,
    title: str,
    content: str,
) -> list[Step]:
    A = Action
    out: list[Step] = []
    if to is not None:
        out.append(Step(A.TRANSFER, dates["transferred"], data={"to_organ_id": to.id}))
    if "accepted" not in dates:
        return out
    out.append(Step(A.ACKNOWLEDGE, dates["accepted"], data={"category": category, "route": route}))
    if "answered" not in dates:
        return out
    answered, text = dates["answered"], answer or NO_TEXT
    opinion = category == Category.APPEAL and route == Route.PETITION
    if category == Category.APPEAL and route is not None and route <= Route.ADMINISTRATIVE:
        out.append(Step(A.CHANNEL, answered, reason=text))  # Art. 31(1)-(4)
    elif opinion:  # Art. 31(6): the handling opinion of Art. 32
        out.append(Step(A.START_HANDLING, answered))
        out.append(Step(A.ISSUE_OPINION, answered, data={
            "request": title, "facts": content[:2000], "decision": text,
            "legal_basis": NO_TEXT, "outcome": outcome or OpinionOutcome.EXPLAIN,
        }))  # fmt: skip
        if "delivered" in dates or "closed" in dates:
            on = dates.get("delivered", answered)
            out.append(Step(A.RECORD_DELIVERY, on, data={"method": "other", "signed": True}))
    else:  # suggestions, accusations, route (五): a reply (Arts. 29, 30, 31(5))
        out.append(Step(A.START_HANDLING, answered))
        out.append(Step(A.REPLY, answered, reason=text))
    if "closed" in dates:
        if opinion:  # the 30 days for a review request lapsed (Art. 35)
            out.append(Step(A.EXPIRE_WINDOW, dates["closed"]))
        out.append(Step(A.CLOSE, dates["closed"]))
    return out
