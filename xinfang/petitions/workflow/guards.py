"""The facts a step depends on (:class:`Context`) and the guards that read them, each one
refusing with the article it applies. PURE: imports no Django."""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.petitions.workflow.vocabulary import Action, Category, ReviewOutcome, Route


def _(text: str) -> str:  # marker for message extraction; translation happens at render time
    return text


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
    # OBJECT: the petition office already rejected an objection of the organ that holds the item
    # since it was last transferred or assigned (Art. 23 para 3; regulation.md §6.2).
    objection_rejected: bool = False
    # VOID: a document addressed to the petitioner (a notice of acceptance, transfer, assignment
    # ...) has been issued for this petition; from then on the registration is the petitioner's.
    notice_sent: bool = False
    # TAKE_BACK: the petition was handed to an organ another installation serves and that
    # installation has not acknowledged receipt (the message waits, or was refused there).
    handover_undelivered: bool = False


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


def _objectable(ctx: Context) -> str | None:
    """Art. 23 para 3: the organ may object once, within five working days. When the office
    disagrees the item stays with the organ (regulation.md §6.2): objecting again would restart
    the notice period (T3) without end and delay the petitioner's answer."""
    if ctx.objection_rejected:
        return _(
            "信访部门已不同意本机关的异议，该信访事项仍由本机关受理办理，不能再次提出异议"
            "（第二十三条第三款）"
        )
    return None


def _settleable(ctx: Context) -> str | None:
    """Art. 33: mediation and settlement are for 申诉求决类 matters only. An accusation is
    investigated (Art. 30) and a suggestion studied (Art. 29); neither is mediated away."""
    if ctx.category != Category.APPEAL:
        return _("只有申诉求决类信访事项可以调解、和解（第三十三条）")
    return _not_in_hearing(ctx)


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


def _voidable(ctx: Context) -> str | None:
    """A mistaken or duplicate registration may be voided until the petitioner has been told
    anything about it: a notice that went out is an answer the petitioner may rely on (Art. 23)
    and the registration behind it stays (Art. 21, the records of the information system)."""
    if ctx.notice_sent:
        return _(
            "已向信访人发出告知或文书的信访事项不能作废；重复事项请依法办理（第二十一条、"
            "第二十三条）"
        )
    return None


def _undelivered(ctx: Context) -> str | None:
    """A transfer or assignment to an organ another installation serves may be taken back by
    the office that made it only while the other installation has not acknowledged receipt
    (issue 20): until then no organ over there has the matter and no clock runs for it there
    (Arts. 22 para 1, 23 para 3 count from receipt); once it has, the duty left with it."""
    if ctx.handover_undelivered:
        return None
    return _(
        "只有转往其他系统、对方尚未确认接收的信访事项可以取回；对方已接收的，请与对方联系"
        "（第二十二条、第二十三条第三款）"
    )
