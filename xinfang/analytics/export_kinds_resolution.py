"""The 台账 kinds of the resolution and oversight lists (``export_kinds``): supervision notices,
backlog cases, relief applications and a relief fund's ledger, hearings, people's suggestions
and mediations. Each reads its page's own selector (``resolution.selectors``: the access scope,
which never yields a record of a petition that accuses the user's organ or names the user,
Art. 30 para 3, Art. 46(5)) with its cursor; a record about a petition carries its petitioners'
names and phones, masked unless ``user_may_see_identity``
(``petitions.exports.petitioner_cells``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.export_base import (
    Chunk,
    Kind,
    Params,
    bad_filter,
    kind_register,
    text_param,
)
from xinfang.core.inputs import is_digits
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap

CAPS = (Cap.RESOLUTION_VIEW, Cap.EXPORT)
PARTY_HEADERS = ("信访人", "联系电话")


def _status_params(choices: Any, *, listed: bool = False) -> Callable[[QueryDict], Params]:
    def parse(q: QueryDict) -> Params:
        out: Params = {"status": text_param(q, "status", set(choices.values))}
        if listed:
            out["listed"] = text_param(q, "listed", {"1"})
        return {k: v for k, v in out.items() if v}

    return parse


def _paged(select: Callable[..., Any], **fixed: Any) -> Callable[..., Chunk]:
    def page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
        extra = {k: v() for k, v in fixed.items()}
        if "listed" in p:
            extra["listed"] = p["listed"] == "1"
        got = select(
            user=user,
            status=p.get("status", ""),
            cursor=cursor,
            limit=limit,
            counted=counted,
            **extra,
        )
        return Chunk(got.rows, got.next_cursor, got.total)

    return page


def _with_parties(
    cells: Callable[[Any], list[Any]],
) -> Callable[[User, list[Any], list[int]], list[list[Any]]]:
    """Rows of records about a petition, each followed by its petitioners (masked)."""

    def rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
        from xinfang.petitions.exports import petitioner_cells

        parties = petitioner_cells(
            user=user, petition_ids=[x.petition_id for x in items], shown=shown
        )
        return [[*cells(x), *parties.get(x.petition_id, ("", ""))] for x in items]

    return rows


def _label(x: Any, field: str) -> str:
    return str(gettext(getattr(x, f"get_{field}_display")()))


def _code(x: Any) -> str:
    return x.petition.tracking_code if x.petition_id else ""


def _notice_cells(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    out = []
    for n in items:
        status = _label(n, "status") + (" · " + gettext("逾期反馈") if n.late else "")
        out.append(
            [
                n.number,
                gettext("是") if n.listed else "",
                n.issued_on,
                n.office.name,
                n.organ.name,
                n.reply_due,
                status,
            ]
        )
    return out


def _today():  # type: ignore[no-untyped-def]
    from xinfang.core import clock

    return clock.today()


def _escalation_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.resolution.selectors import escalation_list_for_user

    got = escalation_list_for_user(user=user, cursor=cursor, limit=limit, counted=counted)
    return Chunk(got.rows, got.next_cursor, got.total)


def _escalation_cells(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    """The reminders as the page shows them: the step, the organ told, the due date, and the
    notice or the petition's deadline and title (the page's scope: never an accusation's)."""
    from xinfang.resolution.ladder import LABELS, Step

    out = []
    for e in items:
        if e.notice_id:
            what = f"{gettext('督办通知')} {e.notice.number}"
        else:
            what = f"{e.code} · {e.petition.title}"
        out.append(
            [
                e.fired_on,
                gettext(LABELS[Step(e.step)]),
                f"{e.to_organ.name}（{_label(e, 'audience')}）",
                e.due_date,
                what,
            ]
        )
    return out


# -- a relief fund's ledger (resolution:fund): the page's entries, in order --------------------
def _fund_params(q: QueryDict) -> Params:
    raw = text_param(q, "fund", max_length=12)
    if not is_digits(raw) or not 0 < int(raw) < 2**63:
        raise bad_filter()
    return {"fund": int(raw)}


def _fund_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    """The ledger of a fund the user may see (``fund_get_for_user``: NotFound otherwise, as
    the page): its entries by id, as ``resolution.selectors.fund_ledger`` reads them."""
    from xinfang.resolution.selectors import fund_get_for_user, fund_ledger_page

    fund = fund_get_for_user(user=user, fund_id=int(p["fund"]))
    rows, nxt, total = fund_ledger_page(fund=fund, after=cursor, limit=limit, counted=counted)
    return Chunk(rows, nxt, total)


def _fund_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    """Date, kind, amount, balance after, the note (a payment names its application by
    number only, as the page does) and the application's number."""
    return [
        [e.on, _label(e, "kind"), e.amount, e.balance_after, e.note,
         e.application.number if e.application_id else ""]
        for e in items
    ]  # fmt: skip


def _fund_title(user: User, p: Params) -> str:
    from xinfang.resolution.selectors import fund_get_for_user

    fund = fund_get_for_user(user=user, fund_id=int(p["fund"]))
    return gettext("%(organ)s %(year)s 年信访救助资金台账") % {
        "organ": fund.organ.name,
        "year": fund.year,
    }


def _fund_back(p: Params) -> str:
    from django.urls import reverse

    return reverse("resolution:fund", args=[int(p["fund"])])


def _register() -> None:
    from xinfang.resolution import models as m
    from xinfang.resolution import selectors as s

    kind_register(
        Kind(
            name="notices",
            title=gettext_lazy("督办通知台账"),
            page_url="resolution:notices",
            caps=CAPS,
            params=_status_params(m.NoticeStatus, listed=True),
            page=_paged(s.notice_list_for_user),
            rows=_notice_cells,
            headers=(
                "文号",
                "挂牌督办",
                "督办日期",
                "督办的信访部门",
                "被督办机关",
                "书面反馈期限",
                "状态",
            ),
            types="ttdttdt",
            widths=(22, 8, 11, 22, 22, 11, 14),
        )
    )
    kind_register(
        Kind(
            name="backlog",
            title=gettext_lazy("积案化解台账"),
            page_url="resolution:backlog",
            caps=CAPS,
            params=_status_params(m.CaseStatus),
            page=_paged(s.backlog_list_for_user, today=_today),
            rows=_with_parties(
                lambda c: [
                    gettext("积案 %(n)s") % {"n": c.pk},
                    _code(c),
                    c.proposed_on,
                    c.organ.name,
                    c.leader,
                    c.milestones_n,
                    c.overdue,
                    _label(c, "status"),
                ]
            ),
            headers=(
                "积案",
                "信访事项",
                "提出日期",
                "责任机关",
                "包案领导",
                "化解节点",
                "逾期节点",
                "状态",
                *PARTY_HEADERS,
            ),
            types="ttdttnnttt",
            widths=(12, 18, 11, 22, 12, 8, 8, 10, 14, 14),
        )
    )
    kind_register(
        Kind(
            name="relief",
            title=gettext_lazy("信访救助台账"),
            page_url="resolution:reliefs",
            caps=CAPS,
            params=_status_params(m.ReliefStatus),
            page=_paged(s.relief_list_for_user),
            rows=_with_parties(
                lambda a: [
                    a.number,
                    _code(a),
                    a.organ.name,
                    a.amount_requested,
                    a.paid_total,
                    _label(a, "status"),
                ]
            ),
            headers=(
                "编号",
                "信访事项",
                "申请机关",
                "申请金额（元）",
                "已发放（元）",
                "状态",
                *PARTY_HEADERS,
            ),
            types="tttnnttt",
            widths=(18, 18, 22, 12, 12, 10, 14, 14),
        )
    )
    kind_register(
        Kind(
            name="hearings",
            title=gettext_lazy("听证台账"),
            page_url="resolution:hearings",
            caps=CAPS,
            params=_status_params(m.HearingStatus),
            page=_paged(s.hearing_list_for_user),
            rows=_with_parties(
                lambda h: [
                    h.notice_number,
                    _code(h),
                    _label(h, "stage"),
                    timezone.localtime(h.scheduled_for).strftime("%Y-%m-%d %H:%M")
                    if h.scheduled_for
                    else "",
                    h.organ.name,
                    _label(h, "status"),
                ]
            ),
            headers=(
                "听证通知",
                "信访事项",
                "阶段",
                "听证时间",
                "举行机关",
                "状态",
                *PARTY_HEADERS,
            ),
            types="tttttttt",
            widths=(18, 18, 10, 16, 22, 10, 14, 14),
        )
    )
    kind_register(
        Kind(
            name="suggestions",
            title=gettext_lazy("人民建议台账"),
            page_url="resolution:suggestions",
            caps=CAPS,
            params=_status_params(m.SuggestionStatus),
            page=_paged(s.suggestion_list_for_user),
            rows=_with_parties(
                lambda x: [
                    x.subject,
                    _code(x),
                    x.organ.name,
                    _label(x, "status"),
                    x.decided_on,
                    gettext("是") if x.public else "",
                ]
            ),
            headers=(
                "建议主题",
                "信访事项",
                "研究办理的机关",
                "状态",
                "决定日期",
                "公开",
                *PARTY_HEADERS,
            ),
            types="ttttdttt",
            widths=(30, 18, 22, 10, 11, 6, 14, 14),
        )
    )
    kind_register(
        Kind(
            name="mediations",
            title=gettext_lazy("调解和解台账"),
            page_url="resolution:mediations",
            caps=CAPS,
            params=_status_params(m.MediationStatus),
            page=_paged(s.mediation_list_for_user),
            rows=_with_parties(
                lambda x: [
                    x.held_on,
                    _label(x, "kind"),
                    _code(x),
                    x.organ.name,
                    _label(x, "status"),
                ]
            ),
            headers=("日期", "方式", "信访事项", "主持调解的机关", "状态", *PARTY_HEADERS),
            types="dtttttt",
            widths=(11, 10, 18, 22, 10, 14, 14),
        )
    )

    kind_register(Kind(
        name="relief_fund", title=gettext_lazy("救助资金台账"), page_url="resolution:reliefs",
        caps=CAPS, params=_fund_params, page=_fund_page, rows=_fund_rows,
        headers=("日期", "类型", "金额（元）", "余额（元）", "摘要", "救助申请编号"),
        types="dtnntt", widths=(11, 8, 12, 12, 30, 18), chunk=2000, back=_fund_back,
        titled=_fund_title,
    ))  # fmt: skip
    kind_register(Kind(
        name="escalations", title=gettext_lazy("催办提醒台账"), page_url="resolution:escalations",
        caps=CAPS, params=lambda q: {}, page=_escalation_page, rows=_escalation_cells,
        headers=("日期", "环节", "告知机关", "期限届满日", "事项"),
        types="dttdt", widths=(11, 16, 30, 11, 40),
    ))  # fmt: skip


_register()
