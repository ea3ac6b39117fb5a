"""The small form each workflow action shows on the petition page: fields per action.

A field is (name, label, kind, choices). Kinds: text, textarea, date, number, organ, select,
bool. Values are passed to ``petition_act`` as ``data`` (``reason`` and ``at`` separately).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xinfang.petitions.workflow import CATEGORY_LABELS, ROUTE_LABELS, Action

A = Action
# the workflow labels are marked in petitions.workflow; translated lazily at render time here
CATEGORIES = [(c.value, _(label)) for c, label in CATEGORY_LABELS.items()]
ROUTES = [(str(r.value), _(label)) for r, label in ROUTE_LABELS.items()]
OPINION = [("support", _("支持")), ("explain", _("解释说明")), ("not_support", _("不予支持"))]
REVIEW = [("uphold", _("维持")), ("vary", _("撤销或变更")), ("redo", _("责令重新办理"))]
DELIVERY = [("in_person", _("直接送达")), ("post", _("邮寄送达")), ("electronic", _("电子送达")), ("other", _("其他"))]
SIGNED = [("true", _("信访人签收")), ("false", _("信访人拒收（留置）"))]
AGREEMENT = [("mediation", _("调解协议书")), ("settlement", _("和解协议书"))]
NOT_ACCEPT = [
    ("duplicate_higher", _("同一事项已在办理期限内，向上级机关重复提出（第十九条第三款）")),
    ("same_facts_after_re_review", _("与复核终结事项的事实和理由相同（第三十六条第三款）")),
    ("other", _("其他（请说明）")),
]
DECISION = [
    ("request", _("信访人的请求"), "textarea", None),
    ("facts", _("事实和理由"), "textarea", None),
    ("decision", _("处理意见"), "textarea", None),
    ("legal_basis", _("依据"), "textarea", None),
]

# Shown only when the petition repeats a matter ended by re-review (Art. 36 para 3): a person
# decides that it brings new facts or reasons; the service asks for it.
NEW_FACTS = ("new_facts", _("有新的事实或理由，作为新的信访事项办理（第三十六条第三款）"), "bool", None)

FIELDS: dict[Action, list[tuple[str, str, str, Any]]] = {
    A.TRANSFER: [("to_organ_id", _("接收机关"), "organ", None), NEW_FACTS],
    A.ASSIGN: [("to_organ_id", _("承办机关"), "organ", None), ("report_due", _("报送结果期限"), "date", None), NEW_FACTS],
    A.REFER_LEGAL: [("to_organ_id", _("政法机关"), "organ", "political_legal")],
    A.REFER_DISCIPLINE: [("to_organ_id", _("纪检监察机关"), "organ", "discipline")],
    A.ACKNOWLEDGE: [("category", _("类别"), "select", CATEGORIES), ("route", _("第三十一条途径（申诉求决类必选）"), "select", ROUTES), NEW_FACTS],
    A.START_HANDLING: [("category", _("类别"), "select", CATEGORIES), ("route", _("第三十一条途径（申诉求决类必选）"), "select", ROUTES)],
    A.REDIRECT: [("proper_organ", _("应当向哪个机关提出"), "text", None)],
    A.NOT_ACCEPT: [("ground", _("情形"), "select", NOT_ACCEPT), ("confirmed", _("已核实事实和理由相同"), "bool", None)],
    A.EXTEND: [("days", _("延长天数（至多 30 日）"), "number", None)],
    A.SETTLE: [("agreement", _("协议"), "select", AGREEMENT), ("summary", _("协议主要内容"), "textarea", None)],
    A.ISSUE_OPINION: [("outcome", _("处理结论"), "select", OPINION), *DECISION],
    A.DECIDE_REVIEW: [("outcome", _("复查结论"), "select", REVIEW), *DECISION, ("redo_days", _("重新办理期限（日）"), "number", None)],
    A.DECIDE_RE_REVIEW: DECISION,
    A.RECORD_DELIVERY: [("method", _("送达方式"), "select", DELIVERY), ("signed", _("签收情况"), "select", SIGNED)],
    # Shown only while the window's last day is provisional (ADR 0012); the service asks for it.
    A.EXPIRE_WINDOW: [("provisional_ack", _("已知届满日为暂定，信访人确未在期限内提出申请"), "bool", None)],
    # A hand-over to another installation that never arrived (issue 20): confirmed, with a reason.
    A.TAKE_BACK: [("confirm_withdraw", _("我确认取回：对方系统尚未确认接收，转送消息撤回、不再发出，由本机关重新分流"), "bool", None)],
}
#: Fields the service refuses to go without (the page marks them and the browser asks first).
#: The route of Art. 31 is asked only for 申诉求决 (its label says so; the service checks it).
REQUIRED_FIELDS = {
    "to_organ_id", "report_due", "proper_organ", "ground", "days", "agreement", "summary",
    "outcome", "request", "facts", "decision", "legal_basis", "method", "signed", "category",
    "confirm_withdraw",
}
#: Actions whose reason is required (the service says so too; the page marks the field).
REASON_REQUIRED = {A.OBJECT, A.OBJECTION_ACCEPT, A.OBJECTION_REJECT, A.REDIRECT, A.NOT_ACCEPT,
                   A.CHANNEL, A.EXTEND, A.REPLY, A.REPORT_RESULT, A.VOID, A.TAKE_BACK}
#: Actions taken now, with no date of a paper event to enter (a take-back withdraws its message).
UNDATED = {A.TAKE_BACK}
REASON_LABEL = {
    A.EXTEND: _("延期理由（将告知信访人）"),
    A.REPLY: _("答复内容"),
    A.REPORT_RESULT: _("办结报告"),
    A.CHANNEL: _("应当通过的法定途径及告知内容"),
    A.OBJECT: _("异议理由"),
    A.VOID: _("作废理由（如重复登记：原件的查询码）"),
    A.TAKE_BACK: _("取回理由（如对方系统长期无法送达、已停用）"),
}


def action_data(action: Action, post: Any) -> dict[str, Any]:
    """Read the action's fields from a POST into ``data`` (empty values left out)."""
    out: dict[str, Any] = {}
    for name, _label, kind, _choices in FIELDS.get(action, []):
        if kind == "bool":
            out[name] = post.get(name) in ("on", "true", "1")
            continue
        v = post.get(name, "").strip()
        if v != "":
            out[name] = v
    return out


def posted_values(action: Action, post: Any) -> dict[str, str]:
    """What the user sent in the action's form, as text, to fill the form again on a refusal."""
    names = [name for name, _label, _kind, _choices in FIELDS.get(action, [])]
    return {n: str(post.get(n, ""))[:20000] for n in [*names, "reason", "at"] if post.get(n)}
