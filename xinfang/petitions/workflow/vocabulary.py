"""The words of the procedure: states, actions, categories, routes and outcomes, with their
Chinese labels (regulation.md §6.1, Arts. 29–32). PURE: imports no Django."""

from __future__ import annotations

from enum import IntEnum, StrEnum


def _(text: str) -> str:  # marker for message extraction; translation happens at render time
    return text


class State(StrEnum):
    RECEIVED = "received"
    REGISTERED = "registered"
    ROUTING = "routing"
    TRANSFERRED = "transferred"
    ASSIGNED = "assigned"
    REFERRED_LEGAL = "referred_legal"
    REFERRED_DISCIPLINE = "referred_discipline"
    OBJECTED = "objected"
    ACKNOWLEDGED = "acknowledged"
    REDIRECTED = "redirected"
    NOT_ACCEPTED = "not_accepted"
    CHANNELLED = "channelled"
    IN_HANDLING = "in_handling"
    SUGGESTION_REVIEW = "suggestion_review"
    REPLIED = "replied"
    OPINION_ISSUED = "opinion_issued"
    SETTLED = "settled"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_DECIDED = "review_decided"
    RE_REVIEW_REQUESTED = "re_review_requested"
    TERMINATED = "terminated"
    FINAL_NO_APPEAL = "final_no_appeal"
    CLOSED = "closed"
    VOIDED = "voided"  # a mistaken or duplicate registration, kept but counted nowhere


class Action(StrEnum):
    REGISTER = "register"
    TRANSFER = "transfer"
    ASSIGN = "assign"
    REFER_LEGAL = "refer_legal"
    REFER_DISCIPLINE = "refer_discipline"
    OBJECT = "object"
    OBJECTION_ACCEPT = "objection_accept"
    OBJECTION_REJECT = "objection_reject"
    ACKNOWLEDGE = "acknowledge"
    REDIRECT = "redirect"
    NOT_ACCEPT = "not_accept"
    CHANNEL = "channel"
    START_HANDLING = "start_handling"
    EXTEND = "extend"
    HEARING_START = "hearing_start"
    HEARING_END = "hearing_end"
    SETTLE = "settle"
    ISSUE_OPINION = "issue_opinion"
    REPLY = "reply"
    RECORD_DELIVERY = "record_delivery"
    REPORT_RESULT = "report_result"
    REQUEST_REVIEW = "request_review"
    DECIDE_REVIEW = "decide_review"
    REQUEST_RE_REVIEW = "request_re_review"
    DECIDE_RE_REVIEW = "decide_re_review"
    EXPIRE_WINDOW = "expire_window"
    REOPEN_WINDOW = "reopen_window"
    CLOSE = "close"
    VOID = "void"
    TAKE_BACK = "take_back"  # a hand-over to another installation not delivered (issue 20)


class Category(StrEnum):
    """The three categories of Arts. 29–31."""

    SUGGESTION = "suggestion"  # 建议意见类, Art. 29
    ACCUSATION = "accusation"  # 检举控告类, Art. 30
    APPEAL = "appeal"  # 申诉求决类, Art. 31


class Route(IntEnum):
    """The six routes of Art. 31 for 申诉求决 petitions."""

    LITIGATION = 1  # 诉讼、复议、检察、公安等法定程序 (political-legal track)
    ARBITRATION = 2  # 仲裁
    PARTY_APPEAL = 3  # 党员申诉、申请复审
    ADMINISTRATIVE = 4  # 行政复议、裁决、确认、许可、处罚等行政程序
    DUTY = 5  # 查处违法行为、保护人身权或财产权: 依法履职或答复
    PETITION = 6  # 其他: 信访程序 (60 日、复查、复核)


class ReviewOutcome(StrEnum):
    UPHOLD = "uphold"  # 维持
    VARY = "vary"  # 撤销或变更
    REDO = "redo"  # 责令重新办理


class OpinionOutcome(StrEnum):
    """Art. 32: the three outcomes of a 信访处理意见书."""

    SUPPORT = "support"  # 支持
    EXPLAIN = "explain"  # 解释说明
    NOT_SUPPORT = "not_support"  # 不予支持


STATE_LABELS: dict[State, str] = {
    State.RECEIVED: _("已接收"),
    State.REGISTERED: _("已登记"),
    State.ROUTING: _("待重新分流"),
    State.TRANSFERRED: _("已转送"),
    State.ASSIGNED: _("已交办"),
    State.REFERRED_LEGAL: _("已移送政法机关"),
    State.REFERRED_DISCIPLINE: _("已移送纪检监察机关"),
    State.OBJECTED: _("异议待定"),
    State.ACKNOWLEDGED: _("已受理告知"),
    State.REDIRECTED: _("已告知向有权机关提出"),
    State.NOT_ACCEPTED: _("不予受理"),
    State.CHANNELLED: _("已导入法定途径"),
    State.IN_HANDLING: _("办理中"),
    State.SUGGESTION_REVIEW: _("建议研究中"),
    State.REPLIED: _("已答复"),
    State.OPINION_ISSUED: _("已出具处理意见"),
    State.SETTLED: _("调解和解结案"),
    State.REVIEW_REQUESTED: _("复查中"),
    State.REVIEW_DECIDED: _("已出具复查意见"),
    State.RE_REVIEW_REQUESTED: _("复核中"),
    State.TERMINATED: _("复核终结"),
    State.FINAL_NO_APPEAL: _("期满未申请，意见生效"),
    State.CLOSED: _("已归档"),
    State.VOIDED: _("已作废"),
}

ACTION_LABELS: dict[Action, str] = {
    Action.REGISTER: _("登记"),
    Action.TRANSFER: _("转送"),
    Action.ASSIGN: _("交办"),
    Action.REFER_LEGAL: _("移送政法机关"),
    Action.REFER_DISCIPLINE: _("移送纪检监察机关"),
    Action.OBJECT: _("提出异议"),
    Action.OBJECTION_ACCEPT: _("同意异议并收回"),
    Action.OBJECTION_REJECT: _("不同意异议"),
    Action.ACKNOWLEDGE: _("受理并书面告知"),
    Action.REDIRECT: _("告知向有权机关提出"),
    Action.NOT_ACCEPT: _("不予受理"),
    Action.CHANNEL: _("导入法定途径"),
    Action.START_HANDLING: _("开始办理"),
    Action.EXTEND: _("延长办理期限"),
    Action.HEARING_START: _("举行听证"),
    Action.HEARING_END: _("听证结束"),
    Action.SETTLE: _("调解和解"),
    Action.ISSUE_OPINION: _("出具处理意见书"),
    Action.REPLY: _("答复"),
    Action.RECORD_DELIVERY: _("登记送达"),
    Action.REPORT_RESULT: _("报送办结报告"),
    Action.REQUEST_REVIEW: _("申请复查"),
    Action.DECIDE_REVIEW: _("出具复查意见"),
    Action.REQUEST_RE_REVIEW: _("申请复核"),
    Action.DECIDE_RE_REVIEW: _("出具复核意见"),
    Action.EXPIRE_WINDOW: _("期满未申请"),
    Action.REOPEN_WINDOW: _("恢复申请期限"),
    Action.CLOSE: _("归档"),
    Action.VOID: _("作废登记"),
    Action.TAKE_BACK: _("取回"),
}

CATEGORY_LABELS: dict[Category, str] = {
    Category.SUGGESTION: _("建议意见类"),
    Category.ACCUSATION: _("检举控告类"),
    Category.APPEAL: _("申诉求决类"),
}

ROUTE_LABELS: dict[Route, str] = {
    Route.LITIGATION: _("（一）诉讼、复议、检察、公安等法定程序"),
    Route.ARBITRATION: _("（二）仲裁"),
    Route.PARTY_APPEAL: _("（三）党员申诉、申请复审"),
    Route.ADMINISTRATIVE: _("（四）行政复议、裁决、确认、许可、处罚等行政程序"),
    Route.DUTY: _("（五）查处违法行为、保护人身权或财产权"),
    Route.PETITION: _("（六）信访程序：听取陈述、调查核实、出具信访处理意见书"),
}

ROUTE_HELP: dict[Route, str] = {
    Route.LITIGATION: _(
        "应当通过诉讼、行政复议、检察、公安等法定程序解决，或涉法涉诉尚未依法终结的，按法定程序处理。"
    ),
    Route.ARBITRATION: _("应当通过仲裁解决的，导入仲裁程序。"),
    Route.PARTY_APPEAL: _("可以通过党员申诉、申请复审等解决的，导入相应程序。"),
    Route.ADMINISTRATIVE: _(
        "可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决的，导入相应程序。"
    ),
    Route.DUTY: _(
        "属于申请查处违法行为、履行保护人身权或者财产权等合法权益职责的，依法履行或答复。"
    ),
    Route.PETITION: _(
        "不属于以上情形的，听取陈述、调查核实，出具信访处理意见书；60 日办结，可申请复查、复核。"
    ),
}

#: States from which nothing but archiving follows.
FINAL_STATES: frozenset[State] = frozenset(
    {
        State.REDIRECTED,
        State.NOT_ACCEPTED,
        State.CHANNELLED,
        State.REPLIED,
        State.SETTLED,
        State.TERMINATED,
        State.FINAL_NO_APPEAL,
        State.REFERRED_LEGAL,
        State.REFERRED_DISCIPLINE,
    }
)
#: States after which nothing at all follows: archived, or a registration voided as a mistake or
#: a duplicate (kept, audited, counted nowhere).
TERMINAL_STATES: frozenset[State] = frozenset({State.CLOSED, State.VOIDED})
#: States in which the petition is still with an organ for action (not final, not archived).
OPEN_STATES: frozenset[State] = frozenset(State) - FINAL_STATES - TERMINAL_STATES
