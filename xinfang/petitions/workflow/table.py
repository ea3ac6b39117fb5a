"""The transition table of regulation.md §6.2, each row with its article, and the functions
that read it (:func:`next_state`, :func:`available_actions`, :func:`mermaid`). PURE."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from xinfang.petitions.workflow.guards import (
    Context,
    _accusation,
    _at_po,
    _can_handle,
    _channel_route,
    _closable,
    _decide_review,
    _delivery_pending,
    _direct_at_co,
    _extendable,
    _hearing_allowed,
    _in_hearing,
    _not_in_hearing,
    _objectable,
    _reply,
    _report_owed,
    _route6,
    _settleable,
    _undelivered,
    _voidable,
    _wrongly_lapsed,
)
from xinfang.petitions.workflow.vocabulary import (
    ACTION_LABELS,
    FINAL_STATES,
    STATE_LABELS,
    TERMINAL_STATES,
    Action,
    Category,
    ReviewOutcome,
    Route,
    State,
)


def _(text: str) -> str:  # marker for message extraction; translation happens at render time
    return text


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


_DISPATCHED = frozenset({State.TRANSFERRED, State.ASSIGNED})
_TO_ROUTE = frozenset({State.REGISTERED, State.ROUTING})
_ARCHIVABLE = FINAL_STATES
#: Every state a petition can be in while a decision document (opinion, review or re-review
#: opinion) it was issued awaits its delivery record.
_AFTER_A_DECISION = frozenset(
    {
        State.OPINION_ISSUED,
        State.REVIEW_REQUESTED,
        State.REVIEW_DECIDED,
        State.RE_REVIEW_REQUESTED,
        State.TERMINATED,
        State.IN_HANDLING,  # a review ordered the handling redone
        State.SETTLED,  # the redone handling ended in an agreement
        State.FINAL_NO_APPEAL,  # the re-review window lapsed first
    }
)

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
    Transition(
        _DISPATCHED,
        Action.OBJECT,
        State.OBJECTED,
        _("第二十三条第三款"),
        _objectable,
        _("未曾被驳回异议（仅一次）"),
    ),
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
        # T6 runs from acceptance (受理之日, Art. 34), so the period may be extended from then on.
        frozenset({State.ACKNOWLEDGED, State.IN_HANDLING}),
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
        _settleable,
        _("申诉求决类，双方自愿"),
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
    # A document's delivery is recordable whatever step followed its issue: the petitioner may ask
    # for review before the receipt is recorded, and the proof of delivery must not be lost.
    Transition(
        _AFTER_A_DECISION,
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
    # A registration made by mistake or twice is voided by the office that registered it, with
    # its reason, never deleted (Art. 21: the records of the information system stay complete);
    # no longer once a notice has told the petitioner anything (Art. 23). Counted nowhere after.
    Transition(
        frozenset({State.REGISTERED, State.ROUTING, State.TRANSFERRED, State.ASSIGNED}),
        Action.VOID,
        State.VOIDED,
        _("第二十一条、第二十三条"),
        _voidable,
        _("登记机关；尚未向信访人发出告知"),
    ),
    # A hand-over to an organ another installation serves that never arrived (the peer is down
    # for good, withdrawn, or refused the message) is taken back by the office that made it and
    # routed again (issue 20; the law is silent: by analogy to the return of the materials
    # after an objection, Art. 23 para 3). Its message is withdrawn in the same transaction.
    Transition(
        _DISPATCHED,
        Action.TAKE_BACK,
        State.ROUTING,
        _("第二十二条第一款、第二十三条第三款（参照）"),
        _undelivered,
        _("转往其他系统、对方尚未确认接收"),
    ),
)

NO_FACTS = Context()  # a petition of which no guard knows anything yet

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


def next_state(state: State, action: Action, ctx: Context = NO_FACTS) -> State:
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


def available_actions(state: State, ctx: Context = NO_FACTS) -> list[Action]:
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
    return state in FINAL_STATES or state in TERMINAL_STATES


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
