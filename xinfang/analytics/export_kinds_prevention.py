"""The 台账 kinds of the source-prevention lists beside the dispute ledger (which keeps its own
export, ``prevention.exports``): the risk assessments of major decisions, the joint conferences
and the policy matters, each the page's own list (its 200 latest), through the page's selector
and its organ scope. They are about matters, decisions and organs, never about people (§10):
no petitioner in them. A policy matter counts only the petitions the reader may be told of
(``policy_matters_for_user``, Art. 30 para 3)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.export_base import Chunk, Kind, Params, kind_register, text_param
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap

CAPS = (Cap.PREVENTION_VIEW, Cap.EXPORT)
SHOWN = 200  # the pages' lists (prevention.views)


def _first(qs: Any, counted: bool) -> Chunk:
    if counted:
        return Chunk([], None, min(qs.count(), SHOWN))
    return Chunk(list(qs[:SHOWN]), None)


def _label(x: Any, field: str) -> str:
    value = getattr(x, f"get_{field}_display")()
    return str(gettext(value)) if value else ""


# -- 重大决策社会稳定风险评估 (prevention:decisions) ----------------------------------------------
def _decision_params(q: QueryDict) -> Params:
    from xinfang.prevention.models import DecisionStatus

    status = text_param(q, "status", set(DecisionStatus.values))
    return {"status": status} if status else {}


def _decision_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.prevention.selectors.decisions import decisions_for_user

    return _first(decisions_for_user(user=user, status=p.get("status", "")), counted)


def _decision_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    return [
        [d.title, d.organ.name, _label(d, "kind"), d.people_affected, _label(d, "status"),
         _label(d, "conclusion") if d.conclusion else "", d.link_count]
        for d in items
    ]  # fmt: skip


kind_register(Kind(
    name="decisions", title=gettext_lazy("重大决策社会稳定风险评估台账"),
    page_url="prevention:decisions", caps=CAPS, params=_decision_params, page=_decision_page,
    rows=_decision_rows,
    headers=("决策事项名称", "决策机关", "类型", "涉及人数（约）", "状态", "评估结论",
             "实施后的信访和纠纷"),
    types="tttnttn", widths=(36, 22, 12, 10, 10, 12, 10), chunk=SHOWN,
))  # fmt: skip


# -- 联席会议 (prevention:conferences) -------------------------------------------------------------
def _conference_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.prevention.selectors.meetings import conferences_for_user

    return _first(conferences_for_user(user=user), counted)


kind_register(Kind(
    name="conferences", title=gettext_lazy("联席会议台账"), page_url="prevention:conferences",
    caps=CAPS, params=lambda q: {}, page=_conference_page,
    rows=lambda user, items, shown: [[c.held_on, c.title, c.organ.name] for c in items],
    headers=("会议日期", "会议名称", "召集机关"), types="dtt", widths=(11, 40, 24), chunk=SHOWN,
))  # fmt: skip


# -- 政策类问题 (prevention:policies) --------------------------------------------------------------
def _policy_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.prevention.selectors.policy import policy_matters_for_user

    return _first(policy_matters_for_user(user=user), counted)


kind_register(Kind(
    name="policies", title=gettext_lazy("政策类问题台账"), page_url="prevention:policies",
    caps=CAPS, params=lambda q: {}, page=_policy_page,
    rows=lambda user, items, shown: [
        [m.pk, m.title, m.organ.name, m.petition_count, _label(m, "status")] for m in items
    ],
    headers=("编号", "政策问题", "政策主管机关", "信访事项件数", "状态"),
    types="nttnt", widths=(8, 40, 24, 10, 10), chunk=SHOWN,
))  # fmt: skip
