"""The lawful procedure of a petition (信访事项) as a pure table.

PURE: imports no Django. Every state, action and transition of regulation.md §6 lives here,
each transition with the article of 信访工作条例 (2022) that grounds it. The one writer of
``Petition.state`` (``petitions.services.petition_act``) asks :func:`next_state` and nothing
else; pages and the API ask :func:`available_actions` for what to offer.

Labels are Chinese (the default language); ``_`` only marks them for translation catalogues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
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
#: States in which the petition is still with an organ for action (not final, not archived).
OPEN_STATES: frozenset[State] = frozenset(State) - FINAL_STATES - {State.CLOSED}


@dataclass(frozen=True)
class Context:
    """Facts about the petition that guards need. Built by the service from the row."""

    category: Category | None = None
    route: Route | None = None
    at_petition_office: bool = True  # the organ holding it now is a 信访部门
    dispatched_by: Action | None = None  # TRANSFER or ASSIGN: how it reached the competent organ
    extended: bool = False
    in_hearing: bool = False
    outcome: str | None = None  # ReviewOutcome for DECIDE_REVIEW
    delivery_pending: bool = False  # a decision document awaits its delivery record
    assigned: bool = False  # a completion report (办结报告) is owed to the assigning office
    report_done: bool = False
    # REOPEN_WINDOW: the petitioner's window ("T7" or "T9") recorded as lapsed on a day that a
    # changed calendar shows it was still open (the service checks the deadline and sets it).
    wrongly_lapsed: str | None = None


class IllegalAction(Exception):
    """The procedure does not allow this action now. ``code`` is stable; ``message`` is shown.

    ``template`` and ``params`` let the caller translate: ``template`` is the marked text (the
    message itself when it has no variable parts) and ``params`` its ``str.format`` fields,
    themselves marked labels; ``message == template.format(**params)``."""

    def __init__(
        self, code: str, message: str, *, template: str | None = None, params: dict | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.template = message if template is None else template
        self.params: dict[str, str] = dict(params or {})


Guard = Callable[[Context], str | None]  # returns a refusal message, or None when allowed


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    action: Action
    target: State | None  # None: the state stays (a flag or a record changes)
    basis: str
    guard: Guard | None = None
    guard_text: str = ""
    target_if: tuple[tuple[str, str, State], ...] = ()  # (Context field, value, target) overrides


def _at_po(ctx: Context) -> str | None:
    return None if ctx.at_petition_office else _("只有信访部门可以转送、交办、移送（第二十二条）")


def _direct_at_co(ctx: Context) -> str | None:
    return (
        None
        if not ctx.at_petition_office
        else _("信访部门不受理办理，应当转送或交办有权处理的机关（第二十二条）")
    )


def _accusation(ctx: Context) -> str | None:
    return (
        None
        if ctx.category == Category.ACCUSATION
        else _("只有检举控告类信访事项移送纪检监察机关（第二十二条第五项、第三十条）")
    )


def _channel_route(ctx: Context) -> str | None:
    if ctx.category != Category.APPEAL or ctx.route not in (
        Route.LITIGATION,
        Route.ARBITRATION,
        Route.PARTY_APPEAL,
        Route.ADMINISTRATIVE,
    ):
        return _("只有第三十一条第（一）至（四）项的申诉求决类事项导入法定途径")
    return None


def _can_handle(ctx: Context) -> str | None:
    if ctx.category is None:
        return _("请先确定信访事项类别")
    if ctx.category == Category.APPEAL and ctx.route is None:
        return _("申诉求决类事项请先确定第三十一条的处理途径")
    if ctx.category == Category.APPEAL and ctx.route not in (Route.DUTY, Route.PETITION):
        return _("第三十一条第（一）至（四）项的事项应当导入法定途径，不进入信访办理")
    return None


def _route6(ctx: Context) -> str | None:
    if ctx.category == Category.APPEAL and ctx.route == Route.PETITION:
        return None
    return _("只有第三十一条第（六）项的事项出具信访处理意见书，适用复查、复核")


def _extendable(ctx: Context) -> str | None:
    if (msg := _route6(ctx)) is not None:
        return msg
    if ctx.extended:
        return _("办理期限只能延长一次（第三十四条）")
    return None


def _reply(ctx: Context) -> str | None:
    if ctx.category == Category.APPEAL and ctx.route == Route.PETITION:
        return _("第三十一条第（六）项的事项应当出具信访处理意见书，而不是一般答复")
    return None


def _not_in_hearing(ctx: Context) -> str | None:
    return None if not ctx.in_hearing else _("听证尚未结束")


def _in_hearing(ctx: Context) -> str | None:
    return None if ctx.in_hearing else _("当前没有进行中的听证")


def _hearing_allowed(ctx: Context) -> str | None:
    if ctx.in_hearing:
        return _("听证已在进行中")
    return _route6(ctx)


def _delivery_pending(ctx: Context) -> str | None:
    return None if ctx.delivery_pending else _("没有待登记送达的文书")


def _report_owed(ctx: Context) -> str | None:
    if not ctx.assigned:
        return _("只有交办事项需要报送办结报告（第二十二条第三项）")
    if ctx.report_done:
        return _("办结报告已经报送")
    return None


def _decide_review(ctx: Context) -> str | None:
    if ctx.outcome not in {o.value for o in ReviewOutcome}:
        return _("请选择复查结论：维持、撤销或变更、责令重新办理")
    return None


def _wrongly_lapsed(ctx: Context) -> str | None:
    if ctx.wrongly_lapsed in ("T7", "T9"):
        return None
    return _(
        "只有登记为期满未申请、而按确认的节假日安排当时尚未届满的复查、复核申请期限可以恢复"
        "（第三十五条、第三十六条）"
    )


def _closable(ctx: Context) -> str | None:
    if ctx.delivery_pending:
        return _("文书尚未登记送达，不能归档")
    if ctx.assigned and not ctx.report_done:
        return _("交办事项尚未报送办结报告，不能归档（第二十二条第三项）")
    return None


_DISPATCHED = frozenset({State.TRANSFERRED, State.ASSIGNED})
_TO_ROUTE = frozenset({State.REGISTERED, State.ROUTING})
_ARCHIVABLE = FINAL_STATES

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        frozenset({State.RECEIVED}), Action.REGISTER, State.REGISTERED, _("第二十二条、第二十三条")
    ),
    # --- a petition office routes within 15 days (T1, Art. 22) ---
    Transition(
        _TO_ROUTE,
        Action.TRANSFER,
        State.TRANSFERRED,
        _("第二十二条第一、二项；第二十三条第一款"),
    ),
    # a lower petition office that received a transfer routes it on (逐级转送, Art. 22)
    Transition(
        _DISPATCHED,
        Action.TRANSFER,
        State.TRANSFERRED,
        _("第二十二条第一、二项"),
        _at_po,
        _("信访部门逐级转送"),
    ),
    Transition(
        _TO_ROUTE | _DISPATCHED,
        Action.ASSIGN,
        State.ASSIGNED,
        _("第二十二条第三项"),
        _at_po,
        _("信访部门"),
    ),
    Transition(
        _TO_ROUTE | _DISPATCHED,
        Action.REFER_LEGAL,
        State.REFERRED_LEGAL,
        _("第二十二条第四项、第二十八条"),
        _at_po,
        _("信访部门"),
    ),
    Transition(
        _TO_ROUTE | _DISPATCHED | {State.ACKNOWLEDGED},
        Action.REFER_DISCIPLINE,
        State.REFERRED_DISCIPLINE,
        _("第二十二条第五项、第三十条"),
        _accusation,
        _("检举控告类"),
    ),
    # --- the receiving organ: objection within 5 working days (T4, Art. 23 para 3) ---
    Transition(_DISPATCHED, Action.OBJECT, State.OBJECTED, _("第二十三条第三款")),
    Transition(
        frozenset({State.OBJECTED}),
        Action.OBJECTION_ACCEPT,
        State.ROUTING,
        _("第二十三条第三款"),
    ),
    Transition(
        frozenset({State.OBJECTED}),
        Action.OBJECTION_REJECT,
        State.TRANSFERRED,
        _("第二十三条第三款"),
        target_if=(("dispatched_by", Action.ASSIGN.value, State.ASSIGNED),),
    ),
    # --- acceptance and written notice (T2 direct, T3 transferred; Art. 23) ---
    Transition(
        _DISPATCHED,
        Action.ACKNOWLEDGE,
        State.ACKNOWLEDGED,
        _("第二十三条第三款"),
        _direct_at_co,
        _("有权处理的机关"),
    ),
    Transition(
        frozenset({State.REGISTERED}),
        Action.ACKNOWLEDGE,
        State.ACKNOWLEDGED,
        _("第二十三条第一、二款"),
        _direct_at_co,
        _("直接向有权机关提出"),
    ),
    Transition(
        frozenset({State.REGISTERED}),
        Action.REDIRECT,
        State.REDIRECTED,
        _("第二十三条第一款"),
        _direct_at_co,
        _("不属于本系统职权"),
    ),
    Transition(
        _TO_ROUTE | _DISPATCHED,
        Action.NOT_ACCEPT,
        State.NOT_ACCEPTED,
        _("第十九条第三款、第三十六条第三款；第四十四条第三项"),
    ),
    # --- categories (Arts. 29–31) ---
    Transition(
        frozenset({State.ACKNOWLEDGED}),
        Action.CHANNEL,
        State.CHANNELLED,
        _("第三十一条第（一）至（四）项"),
        _channel_route,
        _("申诉求决类（一）至（四）"),
    ),
    Transition(
        frozenset({State.ACKNOWLEDGED}),
        Action.START_HANDLING,
        State.IN_HANDLING,
        _("第二十九条至第三十一条"),
        _can_handle,
        _("类别与途径已确定"),
        target_if=(("category", Category.SUGGESTION.value, State.SUGGESTION_REVIEW),),
    ),
    Transition(
        frozenset({State.IN_HANDLING}),
        Action.EXTEND,
        None,
        _("第三十四条"),
        _extendable,
        _("第（六）项，仅一次，至多 30 日"),
    ),
    Transition(
        frozenset({State.IN_HANDLING, State.RE_REVIEW_REQUESTED}),
        Action.HEARING_START,
        None,
        _("第三十一条第（六）项、第三十六条第二款"),
        _hearing_allowed,
        _("第（六）项"),
    ),
    Transition(
        frozenset({State.IN_HANDLING, State.RE_REVIEW_REQUESTED}),
        Action.HEARING_END,
        None,
        _("第三十六条第二款"),
        _in_hearing,
        _("听证进行中"),
    ),
    Transition(
        frozenset({State.IN_HANDLING}),
        Action.SETTLE,
        State.SETTLED,
        _("第三十三条"),
        _not_in_hearing,
        _("双方自愿"),
    ),
    Transition(
        frozenset({State.IN_HANDLING}),
        Action.ISSUE_OPINION,
        State.OPINION_ISSUED,
        _("第三十一条第（六）项、第三十二条"),
        lambda ctx: _route6(ctx) or _not_in_hearing(ctx),
        _("第（六）项"),
    ),
    Transition(
        frozenset({State.IN_HANDLING, State.SUGGESTION_REVIEW}),
        Action.REPLY,
        State.REPLIED,
        _("第二十九条、第三十条、第三十一条第（五）项"),
        _reply,
        _("建议意见、检举控告、第（五）项"),
    ),
    # --- delivery: the remedy windows run from receipt (Arts. 35, 36) ---
    Transition(
        frozenset({State.OPINION_ISSUED, State.REVIEW_DECIDED, State.TERMINATED}),
        Action.RECORD_DELIVERY,
        None,
        _("第三十五条、第三十六条"),
        _delivery_pending,
        _("文书待送达"),
    ),
    Transition(
        frozenset(
            {
                State.IN_HANDLING,
                State.SUGGESTION_REVIEW,
                State.CHANNELLED,
                State.REFERRED_DISCIPLINE,
                State.NOT_ACCEPTED,
                State.REPLIED,
                State.OPINION_ISSUED,
                State.SETTLED,
                State.REVIEW_REQUESTED,
                State.REVIEW_DECIDED,
                State.RE_REVIEW_REQUESTED,
                State.TERMINATED,
                State.FINAL_NO_APPEAL,
            }
        ),
        Action.REPORT_RESULT,
        None,
        _("第二十二条第三项"),
        _report_owed,
        _("交办事项"),
    ),
    # --- review and re-review (Arts. 35, 36) ---
    Transition(
        frozenset({State.OPINION_ISSUED}),
        Action.REQUEST_REVIEW,
        State.REVIEW_REQUESTED,
        _("第三十五条"),
    ),
    Transition(
        frozenset({State.REVIEW_REQUESTED}),
        Action.DECIDE_REVIEW,
        State.REVIEW_DECIDED,
        _("第三十五条"),
        _decide_review,
        _("维持、撤销或变更、重新办理"),
        target_if=(("outcome", ReviewOutcome.REDO.value, State.IN_HANDLING),),
    ),
    Transition(
        frozenset({State.REVIEW_DECIDED}),
        Action.REQUEST_RE_REVIEW,
        State.RE_REVIEW_REQUESTED,
        _("第三十六条第一款"),
    ),
    Transition(
        frozenset({State.RE_REVIEW_REQUESTED}),
        Action.DECIDE_RE_REVIEW,
        State.TERMINATED,
        _("第三十六条"),
        _not_in_hearing,
        _("听证已结束"),
    ),
    Transition(
        frozenset({State.OPINION_ISSUED, State.REVIEW_DECIDED}),
        Action.EXPIRE_WINDOW,
        State.FINAL_NO_APPEAL,
        _("第三十五条、第三十六条"),
    ),
    # A window marked expired on a day the confirmed calendar shows was within it was never lost:
    # the last day of a period that is a rest day moves to the next working day (民法典 Art. 203,
    # regulation §5.3), so the petitioner may still ask (Arts. 35, 36). The system takes this step
    # when a calendar change shows it (ADR 0012); no role is offered it.
    Transition(
        frozenset({State.FINAL_NO_APPEAL, State.CLOSED}),
        Action.REOPEN_WINDOW,
        State.OPINION_ISSUED,
        _("第三十五条、第三十六条；民法典第二百零三条（类推）"),
        _wrongly_lapsed,
        _("期满登记有误（届满日为休息日）"),
        target_if=(("wrongly_lapsed", "T9", State.REVIEW_DECIDED),),
    ),
    Transition(
        _ARCHIVABLE,
        Action.CLOSE,
        State.CLOSED,
        _("第二十一条"),
        _closable,
        _("文书已送达、办结报告已报送"),
    ),
)

_BY_KEY: dict[tuple[State, Action], Transition] = {}
for _t in TRANSITIONS:
    for _s in _t.sources:
        if (_s, _t.action) in _BY_KEY:  # pragma: no cover - a table error, caught at import
            raise RuntimeError(f"duplicate transition {_s} {_t.action}")
        _BY_KEY[(_s, _t.action)] = _t


def transition_for(state: State, action: Action) -> Transition | None:
    return _BY_KEY.get((state, action))


def _guard_message(t: Transition, ctx: Context) -> str | None:
    return t.guard(ctx) if t.guard is not None else None


def next_state(state: State, action: Action, ctx: Context = Context()) -> State:
    """The state after ``action``; raises :class:`IllegalAction` when the law does not allow it.

    A transition whose target is ``None`` keeps the state (extension, hearing, delivery record).
    """
    t = _BY_KEY.get((state, action))
    if t is None:
        template = _("当前状态“{state}”下不能“{action}”")
        params = {"state": STATE_LABELS[state], "action": ACTION_LABELS[action]}
        raise IllegalAction(
            "illegal_transition", template.format(**params), template=template, params=params
        )
    msg = _guard_message(t, ctx)
    if msg is not None:
        raise IllegalAction("guard_refused", msg)
    for field_name, value, target in t.target_if:
        if getattr(ctx, field_name) == value:
            return target
    return t.target if t.target is not None else state


def available_actions(state: State, ctx: Context = Context()) -> list[Action]:
    """Actions the law allows now, in table order (guards evaluated).

    The review outcome is the step's own input, chosen when the step is taken: its guard decides
    whether a decision is accepted (``next_state``), not whether deciding is offered."""
    offered = replace(ctx, outcome=ctx.outcome or ReviewOutcome.UPHOLD.value)
    return [
        a
        for a in Action
        if (t := _BY_KEY.get((state, a))) is not None
        and any(_guard_message(t, c) is None for c in own_input_choices(a, offered))
    ]


#: Facts a step's own form asks for: a step is offered when some choice of them would allow it
#: (开始办理 asks for the category and route still missing, e.g. on a petition accepted before
#: the acceptance required them).
_OWN_INPUTS: dict[Action, tuple[str, ...]] = {Action.START_HANDLING: ("category", "route")}


def own_input_choices(action: Action, ctx: Context) -> Iterable[Context]:
    """``ctx`` and, for a step that asks for facts still missing, each choice of them."""
    yield ctx
    inputs = _OWN_INPUTS.get(action, ())
    if "category" in inputs and ctx.category is None:
        for c in Category:
            yield replace(ctx, category=c, route=ctx.route)
    if "route" in inputs and ctx.route is None:
        for r in Route:
            yield replace(ctx, category=ctx.category or Category.APPEAL, route=r)


def is_final(state: State) -> bool:
    return state in FINAL_STATES or state == State.CLOSED


def mermaid(transitions: Iterable[Transition] = TRANSITIONS) -> str:
    """The state diagram as Mermaid text (docs/domain/workflow.md is checked against it)."""
    lines = ["stateDiagram-v2", "    [*] --> received"]
    for t in transitions:
        for s in sorted(t.sources):
            targets = [t.target or s] + [tgt for _f, _v, tgt in t.target_if]
            for tgt in dict.fromkeys(targets):
                lines.append(f"    {s} --> {tgt}: {t.action}")
    lines.append("    closed --> [*]")
    return "\n".join(lines) + "\n"
