"""What each step of the procedure requires (its fields, reasons and time windows) and what it
changes besides the state (who holds the petition, its flags)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.utils.translation import gettext, gettext_noop

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.petitions import target_rules
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import organ_facts
from xinfang.petitions.selectors.detail import re_review_ended_on
from xinfang.petitions.services._shared import _date, _int, _organ
from xinfang.petitions.target_rules import target_refusals
from xinfang.petitions.workflow import (
    Action,
    Category,
    OpinionOutcome,
    ReviewOutcome,
    Route,
)

#: The deadlines of petitions written in this transaction by the bulk path (ADR 0020), folded
#: in memory after each step and written once after the petition's last step: the checks read
#: them here instead of from the database (the same rows ``deadline_recompute`` would write).
deadlines_pending: ContextVar[dict[int, list[Deadline]] | None] = ContextVar(
    "deadlines_pending", default=None
)
#: When the petitioner asked for a review or re-review, as a signed message from another
#: installation attests it (issue 20; set only by ``federation``'s inbox around its steps, never
#: from a form): the 30-day windows of Arts. 35 and 36 are judged by that day, not by the day
#: the message arrived, and a window recorded as lapsed in between is reopened for it.
remedy_asked_at: ContextVar[datetime | None] = ContextVar("remedy_asked_at", default=None)


def _target_message(code: str, action: Action, holder: Organ) -> str:
    """The words for a ``target_rules`` refusal code."""
    if code == target_rules.SELF:
        return gettext("不能转送给本机关")
    if code == target_rules.INACTIVE:
        return gettext("请选择接收机关")
    if code == target_rules.ACCUSED:
        return gettext("检举控告材料不得转送给被检举控告的单位或其下级（第三十条第三款）")
    if code == target_rules.WRONG_KIND and action == Action.REFER_LEGAL:
        return gettext("涉法涉诉事项应移送政法机关（第二十二条第四项）")
    if code == target_rules.WRONG_KIND:
        return gettext("应移送纪检监察机关（第二十二条第五项）")
    if code == target_rules.UNSERVED:
        return gettext("该机关由其他系统办理，目前无法送达：只能转送、交办，且须对方系统在用")
    if holder.kind != OrganKind.PETITION_OFFICE:
        return gettext(
            "有权机关只能转送本系统下级机关；不属本系统的，请告知信访人向有权机关提出（第二十三条）"
        )
    return gettext(
        "信访部门只能转送、交办本行政区域内的机关，不能送往上级或其他地方的机关（第二十二条）"
    )


def _deadline_last(petition: Petition, code: str, outcome: str) -> Deadline | None:
    """The petition's latest ``code`` deadline with ``outcome``."""
    pending = deadlines_pending.get()
    if pending is not None and petition.pk in pending:
        found = [d for d in pending[petition.pk] if d.code == code and d.outcome == outcome]
        return max(found, key=lambda d: d.start_date) if found else None
    return (
        Deadline.objects.filter(petition=petition, code=code, outcome=outcome)
        .order_by("-start_date")
        .first()
    )


def _open_deadline(petition: Petition, code: str) -> Deadline | None:
    return _deadline_last(petition, code, "open")


def _validate_step(
    petition: Petition,
    action: Action,
    reason: str,
    data: dict[str, Any],
    when: datetime,
    actor: User | None = None,
) -> None:
    """Per-step fields (Art. 32 contents, reasons, organs) and time windows. Mutates ``data``
    into its stored form (ids, ISO dates)."""
    errs: dict[str, list[str]] = {}

    def err(f: str, msg: str) -> None:
        errs.setdefault(f, []).append(msg)

    day = clock.local_date(when)
    A = Action
    needs_reason = {
        A.OBJECT: gettext_noop("请说明异议的具体理由（第二十三条第三款）"),
        A.OBJECTION_ACCEPT: gettext_noop("请说明同意异议的理由"),
        A.OBJECTION_REJECT: gettext_noop("请说明不同意异议的理由"),
        A.REDIRECT: gettext_noop("请说明理由"),
        A.NOT_ACCEPT: gettext_noop("请说明不予受理的理由"),
        A.CHANNEL: gettext_noop("请写明应当通过的法定途径和告知内容"),
        A.EXTEND: gettext_noop("请说明延期理由，该理由将告知信访人（第三十四条）"),
        A.REPLY: gettext_noop("请填写答复内容"),
        A.REPORT_RESULT: gettext_noop("请填写办结报告内容"),
        A.VOID: gettext_noop("请说明作废的理由（如重复登记的查询码、登记错误）"),
        A.TAKE_BACK: gettext_noop("请说明取回的理由（如对方系统长期无法送达、已停用）"),
    }
    if action in needs_reason and not reason.strip():
        err("reason", gettext(needs_reason[action]))

    if action in (A.TRANSFER, A.ASSIGN, A.REFER_LEGAL, A.REFER_DISCIPLINE):
        to = _organ(data.get("to_organ_id"))
        if to is None:
            err("to_organ_id", gettext("请选择接收机关"))
        else:
            data["to_organ_id"] = to.pk
            # the picker's own rule (target_rules): what it does not offer is refused here
            for code in target_refusals(
                action=action.value,
                holder=organ_facts(petition.current_organ),
                to=organ_facts(to),
                accused=organ_facts(petition.accused_organ) if petition.accused_organ_id else None,
            ):
                err("to_organ_id", _target_message(code, action, petition.current_organ))
        if action == A.ASSIGN:
            due = _date(data.get("report_due"))
            if due is None:
                err("report_due", gettext("交办须确定报送结果的期限（第二十二条第三项）"))
            elif due <= day:
                err("report_due", gettext("报送期限应晚于交办日期"))
            else:
                data["report_due"] = due.isoformat()
    if action in (A.TRANSFER, A.ASSIGN, A.ACKNOWLEDGE):
        _check_art36_prior(petition, data, err, actor)
    if action == A.OBJECT:
        t4 = _open_deadline(petition, "T4")
        if t4 is not None and day > t4.due_date:
            err(
                "at",
                gettext(
                    "异议应在收到之日起五个工作日内提出，期限已于 %(due)s 届满（第二十三条第三款）"
                )
                % {"due": t4.due_date},
            )
    if action == A.TAKE_BACK:
        if day != clock.local_date(clock.now()):
            # it withdraws the message now: a take-back is not dated back (nor the T1 it starts)
            err("at", gettext("取回只能登记为当天"))
        if data.get("confirm_withdraw") not in (True, "on", "true", "1"):
            err(
                "confirm_withdraw",
                gettext("请确认取回：转送消息将撤回、不再发出，由本机关重新分流"),
            )
        else:
            data["confirm_withdraw"] = True
    if action == A.REDIRECT and not str(data.get("proper_organ", "")).strip():
        err("proper_organ", gettext("请写明应当向哪个机关提出"))
    if action == A.NOT_ACCEPT:
        ground = data.get("ground", "other")
        if ground not in ("duplicate_higher", "same_facts_after_re_review", "other"):
            err("ground", gettext("请选择不予受理的情形"))
        if ground == "same_facts_after_re_review":
            prior = petition.repeat_of
            if prior is not None and actor is not None and not _visible_to(actor, prior):
                # An earlier petition the actor may not see answers as none at all: its
                # history must not decide the answer (no oracle on a hidden accusation).
                prior = None
            if prior is None or not prior.events.filter(action=A.DECIDE_RE_REVIEW).exists():
                err(
                    "ground",
                    gettext("只有与已复核终结事项的事实和理由相同，才能依第三十六条第三款不予受理"),
                )
            if not data.get("confirmed"):
                err(
                    "confirmed", gettext("请工作人员核实新提出的事实和理由确与已终结事项相同后确认")
                )
    if action in (A.ACKNOWLEDGE, A.START_HANDLING):
        # Accepting fixes what kind of matter it is (Arts. 29-31) and, for 申诉求决, its route
        # (Art. 31): without them no later step applies and the petition would be stuck.
        category = data.get("category") or petition.category
        route = data.get("route") or petition.route
        if not category:
            err("category", gettext("请选择信访事项类别（第二十九条至第三十一条）"))
        elif category not in Category.__members__.values():
            err("category", gettext("类别无效"))
        elif category == Category.APPEAL and route in (None, ""):
            err("route", gettext("申诉求决类事项请选择第三十一条的处理途径"))
        if route not in (None, "") and int(route) not in {r.value for r in Route}:
            err("route", gettext("途径无效"))
        if category and category != Category.APPEAL and route not in (None, ""):
            err("route", gettext("只有申诉求决类事项选择第三十一条的处理途径"))
    if action == A.EXTEND:
        days = _int(data.get("days"))
        if days is None or not 1 <= days <= 30:
            err("days", gettext("延长期限为 1 至 30 日（第三十四条）"))
        else:
            data["days"] = days
        t6 = _open_deadline(petition, "T6")
        if t6 is not None and day > t6.due_date:
            err("at", gettext("办理期限已届满，不能再延期"))
    if action == A.SETTLE:
        if data.get("agreement") not in ("mediation", "settlement"):
            err("agreement", gettext("请选择调解协议书或和解协议书（第三十三条）"))
        if not str(data.get("summary", "")).strip():
            err("summary", gettext("请填写协议主要内容"))
    if action in (A.ISSUE_OPINION, A.DECIDE_REVIEW, A.DECIDE_RE_REVIEW):
        # Art. 32: the request, the facts and reasons, the decision and its legal basis.
        for f, label in (
            ("request", gettext_noop("信访人的请求")),
            ("facts", gettext_noop("事实和理由")),
            ("decision", gettext_noop("处理意见")),
            ("legal_basis", gettext_noop("依据")),
        ):
            if not str(data.get(f, "")).strip():
                err(f, gettext("请填写%(label)s（第三十二条）") % {"label": gettext(label)})
    if action == A.ISSUE_OPINION and data.get("outcome") not in {o.value for o in OpinionOutcome}:
        err("outcome", gettext("请选择：支持、解释说明或不予支持（第三十二条）"))
    if action == A.DECIDE_REVIEW and data.get("outcome") == ReviewOutcome.REDO:
        redo = _int(data.get("redo_days", 60))
        if redo is None or not 1 <= redo <= 60:
            err("redo_days", gettext("重新办理期限为 1 至 60 日"))
        else:
            data["redo_days"] = redo
    if action == A.RECORD_DELIVERY:
        pending = delivery_pending(petition)
        if data.get("document") not in (None, "") and data["document"] not in pending:
            err("document", gettext("该文书没有待登记的送达"))
        if data.get("method") not in ("in_person", "post", "electronic", "other"):
            err("method", gettext("请选择送达方式：直接送达、邮寄、电子或其他"))
        if data.get("signed") not in (True, False, "true", "false", "1", "0"):
            err("signed", gettext("请说明信访人签收或拒收"))
        else:
            data["signed"] = data.get("signed") in (True, "true", "1")
    asked = remedy_asked_at.get()
    asked_on = min(day, clock.local_date(asked)) if asked is not None else day
    if action == A.REQUEST_REVIEW:
        t7 = _open_deadline(petition, "T7")
        if t7 is not None and asked_on > t7.due_date:
            err(
                "at",
                gettext(
                    "复查申请应在收到处理意见书之日起三十日内提出，已于 %(due)s 届满（第三十五条）"
                )
                % {"due": t7.due_date},
            )
        handler = petition.handling_organ or petition.current_organ
        if handler.parent_id is None:
            err("review_organ", gettext("原办理机关没有上一级机关，无法复查"))
    if action == A.REQUEST_RE_REVIEW:
        t9 = _open_deadline(petition, "T9")
        if t9 is not None and asked_on > t9.due_date:
            err(
                "at",
                gettext(
                    "复核申请应在收到复查意见之日起三十日内提出，已于 %(due)s 届满（第三十六条）"
                )
                % {"due": t9.due_date},
            )
        if petition.review_organ is None or petition.review_organ.parent_id is None:
            err("re_review_organ", gettext("复查机关没有上一级机关，无法复核"))
    if action == A.EXPIRE_WINDOW:
        window = _open_deadline(petition, "T7") or _open_deadline(petition, "T9")
        if window is None:
            err("at", gettext("申请期限尚未开始计算（请先登记文书送达）"))
        elif day <= window.due_date:
            err("at", gettext("申请期限至 %(due)s 才届满") % {"due": window.due_date})
        elif window.provisional and data.get("provisional_ack") not in (True, "on", "true", "1"):
            # The last day rests on a year the State Council has not arranged yet (ADR 0012).
            err("provisional_ack", _provisional_warning(window))
        if window is not None and window.provisional:
            data["provisional_ack"] = True  # the clerk confirmed knowing the date may move
        else:
            data.pop("provisional_ack", None)
    if action == A.REOPEN_WINDOW:
        _validate_reopen(petition, data, err)
    if errs:
        raise ApplicationError(gettext("操作信息有误，请按提示修改"), code="invalid", fields=errs)


def _visible_to(user: User, petition: Petition) -> bool:
    from xinfang.petitions.selectors.access import petition_queryset_linkable_for

    return petition_queryset_linkable_for(user=user).filter(pk=petition.pk).exists()


def _check_art36_prior(petition: Petition, data: dict[str, Any], err, actor: User | None) -> None:  # type: ignore[no-untyped-def]
    """Art. 36 para 3: a matter ended by re-review is not accepted again on the same facts and
    reasons. A petition linked to such a matter goes on only when a person confirms that it
    brings new facts or reasons (``new_facts``); otherwise the way is ``not_accept``. An
    earlier petition the actor may not see counts as none (as for ``not_accept``: no oracle)."""
    prior = petition.repeat_of
    if prior is not None and actor is not None and not _visible_to(actor, prior):
        prior = None
    ended = re_review_ended_on(prior)
    if ended is None:
        data.pop("new_facts", None)
        return
    if data.get("new_facts") in (True, "on", "true", "1"):
        data["new_facts"] = True  # recorded in the event: who decided, and when
        return
    err(
        "new_facts",
        gettext(
            "所关联的前件已于 %(day)s 复核终结：同一事实和理由不再受理（第三十六条第三款）。"
            "信访人提出新的事实或理由的，请勾选“有新的事实或理由”后继续；"
            "否则请选择“不予受理”，情形为“与复核终结事项的事实和理由相同”。"
        )
        % {"day": ended},
    )


def _provisional_warning(window: Deadline) -> str:
    years = holidays.calendar_in_force().provisional_years(window.start_date, window.due_date)
    return gettext(
        "该申请期限的届满日 %(due)s 按暂定的 %(years)s 年节假日安排计算：国务院办公厅尚未公布该年安排，"
        "届满日可能推后。请确认信访人确未在期限内提出申请，并勾选“已知届满日为暂定”后再登记；"
        "如日后确认的安排表明登记时期限尚未届满，系统将恢复该期限并告知信访人。"
    ) % {"due": window.due_date, "years": "、".join(str(y) for y in years) or window.due_date.year}


def _validate_reopen(petition: Petition, data: dict[str, Any], err) -> None:  # type: ignore[no-untyped-def]
    """A window recorded as lapsed that was in fact not lost: the calendar now shows it was
    still open on that day (the fold has already given the lapsed row its true due date), or
    the petitioner asked within it at another installation and the request arrived after the
    lapse was recorded (``remedy_asked_at``, issue 20). Days back, never fewer than one."""
    window = str(data.get("window", ""))
    lapsed = _deadline_last(petition, window, "lapsed")
    if lapsed is None or lapsed.closed_on is None:
        err("window", gettext("没有登记为期满未申请的该申请期限"))
        return
    asked = remedy_asked_at.get()
    if asked is not None:
        if clock.local_date(asked) > lapsed.due_date:
            err("window", gettext("信访人提出请求时，该申请期限已经届满"))
            return
        data.update(ground="asked_in_time", asked_at=asked.isoformat())
    else:
        data.pop("ground", None)  # only a signed request of the petitioner's gives this ground
        data.pop("asked_at", None)
        if lapsed.due_date < lapsed.closed_on:
            err("window", gettext("按现行的节假日安排，登记期满时该申请期限确已届满，无需恢复"))
            return
    days = _int(data.get("days"))
    if days is None or not 1 <= days <= 366:
        err("days", gettext("恢复的申请期限应为 1 至 366 日"))
        return
    data.update(
        window=window,
        days=days,
        lapsed_on=lapsed.closed_on.isoformat(),
        true_due=lapsed.due_date.isoformat(),
    )


def _apply_effects(petition: Petition, action: Action, data: dict[str, Any], at: datetime) -> None:
    """Who holds the petition next, and the flags (not the state) that the step changes."""
    A = Action
    if action == A.REGISTER:
        petition.registered_at = at
    elif action in (A.TRANSFER, A.ASSIGN, A.REFER_LEGAL, A.REFER_DISCIPLINE):
        to = Organ.objects.get(pk=data["to_organ_id"])
        data["from_organ_id"] = petition.current_organ_id
        petition.current_organ = to
        data["to_petition_office"] = to.kind == OrganKind.PETITION_OFFICE
        data["to_level"] = to.level  # its share of the routing limit (T1a, deadlines.chain)
        if to.external:
            # Served by another installation (issue 20): the duty leaves with the petition and
            # its clock runs there from its receipt (Arts. 22 para 1, 23 para 3); none here.
            data["to_external"] = True
        if action in (A.TRANSFER, A.ASSIGN):
            petition.dispatched_by = action.value
            petition.objection_rejected = False  # a new receiving organ may object (Art. 23)
            petition.handling_organ = None if to.kind == OrganKind.PETITION_OFFICE else to
    elif action == A.OBJECT:
        back = _last_sender(petition)
        data["returned_to_organ_id"] = back.pk
        petition.current_organ = back
    elif action == A.OBJECTION_REJECT:
        petition.objection_rejected = True  # the item stays with the organ (§6.2, Art. 23)
        objector = petition.handling_organ
        if objector is not None:
            petition.current_organ = objector
    elif action == A.OBJECTION_ACCEPT:
        petition.handling_organ = None
    elif action == A.TAKE_BACK:
        # Back with the office that sent it, to route again (issue 20); the other installation's
        # organ never had it. The federation withdraws the message in this transaction.
        from xinfang.petitions.gate import handover_sender_id

        back_id = handover_sender_id(petition) or petition.registering_organ_id
        data["from_organ_id"] = petition.current_organ_id
        data["returned_to_organ_id"] = back_id
        petition.current_organ = Organ.objects.get(pk=back_id)
        petition.handling_organ = None
        petition.dispatched_by = ""
        petition.objection_rejected = False
    elif action in (A.ACKNOWLEDGE, A.START_HANDLING):
        if data.get("category"):
            petition.category = data["category"]
        if data.get("route") not in (None, ""):
            petition.route = int(data["route"])
        petition.handling_organ = petition.current_organ
    elif action == A.EXTEND:
        petition.extended = True
    elif action == A.HEARING_START:
        petition.in_hearing = True
    elif action == A.HEARING_END:
        petition.in_hearing = False
    elif action == A.ISSUE_OPINION:
        petition.execution_monitoring = data.get("outcome") == OpinionOutcome.SUPPORT
        _pending_add(petition, "opinion")
        data.setdefault("remedy", _remedy_text(petition.current_organ, "review"))
    elif action == A.RECORD_DELIVERY:
        pending = delivery_pending(petition)
        document = str(data.get("document") or pending[0])
        data["document"] = document
        petition.delivery_pending = " ".join(d for d in pending if d != document)
    elif action == A.REQUEST_REVIEW:
        handler = petition.handling_organ or petition.current_organ
        petition.handling_organ = handler
        petition.review_organ = handler.parent
        petition.current_organ = handler.parent  # type: ignore[assignment]
    elif action == A.DECIDE_REVIEW:
        if data.get("outcome") in (ReviewOutcome.VARY, ReviewOutcome.REDO):
            petition.execution_monitoring = False  # the supported opinion no longer stands
        if data.get("outcome") == ReviewOutcome.REDO:
            petition.current_organ = petition.handling_organ  # type: ignore[assignment]
            petition.extended = False
        else:
            _pending_add(petition, "review_opinion")
            data.setdefault("remedy", _remedy_text(petition.current_organ, "re_review"))
    elif action == A.REQUEST_RE_REVIEW:
        assert petition.review_organ is not None
        petition.re_review_organ = petition.review_organ.parent
        petition.current_organ = petition.review_organ.parent  # type: ignore[assignment]
    elif action == A.DECIDE_RE_REVIEW:
        _pending_add(petition, "re_review_opinion")
    elif action == A.REPORT_RESULT:
        petition.report_done = True


def delivery_pending(petition: Petition) -> list[str]:
    """The documents awaiting their delivery record, oldest first."""
    return petition.delivery_pending.split()


def _pending_add(petition: Petition, document: str) -> None:
    """A later document joins the queue; an earlier one still awaits its record (Arts. 35, 36:
    the windows run from receipt, so the proof of each delivery is kept)."""
    pending = delivery_pending(petition)
    if document not in pending:
        pending.append(document)
    petition.delivery_pending = " ".join(pending)


def _remedy_text(organ: Organ, step: str) -> str:
    parent = organ.parent
    if step == "review":
        to = parent.name if parent else "上一级行政机关"
        return f"信访人对处理意见不服的，可以自收到书面答复之日起30日内请求{to}复查（《信访工作条例》第三十五条）。"
    to = parent.name if parent else "复查机关的上一级行政机关"
    return f"信访人对复查意见不服的，可以自收到书面答复之日起30日内向{to}请求复核（《信访工作条例》第三十六条）。"


def _last_sender(petition: Petition) -> Organ:
    ev = (
        petition.events.filter(action__in=[Action.TRANSFER, Action.ASSIGN, Action.OBJECTION_REJECT])
        .order_by("-seq")
        .first()
    )
    if ev is not None and ev.data.get("from_organ_id"):
        return Organ.objects.get(pk=ev.data["from_organ_id"])
    return petition.registering_organ
