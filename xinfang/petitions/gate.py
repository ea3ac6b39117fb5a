"""Whether a step may be taken now: the facts the workflow's guards read (``petition_context``)
and the actor's gate (``actor_may``: role and organ). Read by the services before they write and
by the selectors that offer the steps a user may take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import OrganKind, User
from xinfang.directory.permissions import user_can_act
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import (
    Action,
    Category,
    Context,
    Route,
    State,
)


def petition_context(petition: Petition, data: Mapping[str, Any] | None = None) -> Context:
    """The facts the workflow guards need (pure derivation; used by selectors too)."""
    data = data or {}
    category = data.get("category") or petition.category or None
    route = data.get("route") or petition.route
    return Context(
        category=_category(category),
        route=_route(route),
        at_petition_office=petition.current_organ.kind == OrganKind.PETITION_OFFICE,
        dispatched_by=Action(petition.dispatched_by) if petition.dispatched_by else None,
        extended=petition.extended,
        in_hearing=petition.in_hearing,
        outcome=data.get("outcome"),
        delivery_pending=bool(petition.delivery_pending),
        assigned=petition.dispatched_by == Action.ASSIGN,
        report_done=petition.report_done,
        objection_rejected=petition.objection_rejected,
        wrongly_lapsed=str(data["window"]) if data.get("window") else None,
        notice_sent=_notice_sent(petition),
        handover_undelivered=_handover_undelivered(petition),
    )


def _handover_undelivered(petition: Petition) -> bool:
    """Whether the petition waits for another installation to acknowledge it (``take_back``'s
    guard). Asks the federation only for a petition dispatched to an external organ (no query
    for any other)."""
    if petition.pk is None or petition.state not in _DISPATCHED:
        return False
    if not petition.current_organ.external:
        return False
    from xinfang.petitions import extensions

    return extensions.handover_is_undelivered(petition=petition)


_DISPATCHED = frozenset({State.TRANSFERRED, State.ASSIGNED})


def handover_sender_id(petition: Petition) -> int | None:
    """The organ that handed the petition to the organ holding it now (the latest transfer or
    assignment's ``from_organ_id``): the one that may take back an undelivered hand-over."""
    ev = (
        petition.events.filter(action__in=[Action.TRANSFER, Action.ASSIGN])
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    sender = (ev or {}).get("from_organ_id")
    return int(sender) if sender else None


#: The steps that issue a document addressed to the petitioner (documents.selectors.ACTION_KIND
#: names the document of each; tests/test_void.py checks that the two agree).
NOTICE_ACTIONS = frozenset(
    {
        Action.ACKNOWLEDGE,
        Action.NOT_ACCEPT,
        Action.TRANSFER,
        Action.ASSIGN,
        Action.REFER_LEGAL,
        Action.REDIRECT,
        Action.CHANNEL,
        Action.EXTEND,
        Action.ISSUE_OPINION,
        Action.REPLY,
        Action.DECIDE_REVIEW,
        Action.DECIDE_RE_REVIEW,
        Action.REOPEN_WINDOW,
        Action.SETTLE,  # the mediation or settlement agreement (Art. 33) the petitioner signs
    }
)


def _notice_sent(petition: Petition) -> bool:
    """Whether a notice has told the petitioner about this petition (the guard of a void). Only
    the states a void may start from ask the database; a freshly registered petition has had no
    step yet, and any later state has had one that told the petitioner."""
    if petition.state == State.REGISTERED or petition.pk is None:
        return False
    if petition.state not in _VOID_SOURCES:
        return True
    return petition.events.filter(action__in=[a.value for a in NOTICE_ACTIONS]).exists()


_VOID_SOURCES = frozenset({State.ROUTING, State.TRANSFERRED, State.ASSIGNED})


def _category(value: Any) -> Category | None:
    """An action's category, or a 400 naming the field (never a 500 on an unknown value)."""
    if not value:
        return None
    try:
        return Category(value)
    except (ValueError, TypeError):
        raise ApplicationError(
            gettext("类别有误"),
            fields={"category": [gettext("类别应为建议意见类、检举控告类或申诉求决类")]},
        ) from None


def _route(value: Any) -> Route | None:
    """An action's Art. 31 route, or a 400 naming the field."""
    if not value:
        return None
    try:
        return Route(int(value))
    except (ValueError, TypeError, OverflowError):
        raise ApplicationError(
            gettext("处理途径有误"),
            fields={"route": [gettext("处理途径应为第三十一条第（一）至（六）项之一")]},
        ) from None


def actor_may(petition: Petition, action: Action, actor: User) -> str | None:
    """Why ``actor`` may not take ``action`` on ``petition`` now, or None when they may.

    The actor's role must allow the action (directory.permissions) and the actor's organ must
    hold the petition, or be the organ a remedy request goes to (Arts. 35, 36)."""
    if not user_can_act(actor, action):
        return gettext("您的角色不能执行此操作")
    organ_id = actor.organ_id
    if organ_id is None:
        return gettext("您未归属任何机关")
    if action == Action.VOID:  # only the office that registered it knows it made a mistake
        if organ_id == petition.registering_organ_id:
            return None
        return gettext("只有登记该信访事项的机关可以作废登记")
    if action == Action.TAKE_BACK:  # the office that made the hand-over, not the organ over there
        if organ_id == handover_sender_id(petition):
            return None
        return gettext("只有转出该信访事项的机关可以取回")
    if organ_id == petition.current_organ_id:
        return None
    if action == Action.REQUEST_REVIEW and petition.handling_organ is not None:
        if organ_id == petition.handling_organ.parent_id:
            return None
    if action == Action.REQUEST_RE_REVIEW and petition.review_organ is not None:
        if organ_id == petition.review_organ.parent_id:
            return None
    return gettext("该信访事项不在本机关办理")
