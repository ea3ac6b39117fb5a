"""Petitions in each state: the planned steps, the states the demo must show and how a plan is
cut to end in one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xinfang.demo._common import A, S
from xinfang.demo.organs import _Unit
from xinfang.demo.texts import _Topic
from xinfang.directory.models import Organ, Role
from xinfang.petitions.workflow import Action, State


@dataclass
class _Step:
    action: Action
    organ: Organ  # the organ whose staff takes the step
    gap: int  # whole days after the previous event (0: later the same day)
    state: State  # the state after the step
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    role: str = Role.HANDLER  # the role that would normally take the step


@dataclass
class _Plan:
    unit: _Unit  # where the matter is
    intake: Organ
    topic: _Topic
    fields: dict[str, Any]  # PetitionInput fields but received_at
    steps: list[_Step]
    lag_days: int  # receipt to registration
    want: State | None = None
    received_at: datetime | None = None
    registered_at: datetime | None = None
    times: list[datetime] = field(default_factory=list)
    petition_id: int | None = None


_FINAL_OR_CLOSED = {
    S.REDIRECTED,
    S.NOT_ACCEPTED,
    S.CHANNELLED,
    S.REPLIED,
    S.SETTLED,
    S.TERMINATED,
    S.FINAL_NO_APPEAL,
    S.REFERRED_LEGAL,
    S.REFERRED_DISCIPLINE,
    S.CLOSED,
}


# Choices a showcase petition must take to end in the wanted state (the rest is drawn at random).
_ROUTED = {"intake": "po", "routing": "transfer", "first": "ack"}


WANT: dict[State, dict[str, Any]] = {
    S.REGISTERED: {},
    S.ROUTING: {"intake": "po", "routing": "object_accept"},
    S.TRANSFERRED: {"intake": "po", "routing": "transfer"},
    S.ASSIGNED: {"intake": "po", "routing": "assign"},
    S.REFERRED_LEGAL: {"intake": "po", "category": "appeal", "route": 1, "routing": "refer_legal", "close": False},
    S.REFERRED_DISCIPLINE: {"intake": "po", "category": "accusation", "routing": "refer_discipline", "close": False},
    S.OBJECTED: {"intake": "po", "routing": "object_reject"},
    S.ACKNOWLEDGED: {"first": "ack", "routing": "transfer"},
    S.REDIRECTED: {"intake": "direct", "first": "redirect", "close": False},
    S.NOT_ACCEPTED: {"intake": "po", "routing": "not_accept", "close": False},
    S.CHANNELLED: {**_ROUTED, "category": "appeal", "handling": "channel", "close": False},
    S.IN_HANDLING: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion"},
    S.SUGGESTION_REVIEW: {**_ROUTED, "category": "suggestion"},
    S.REPLIED: {**_ROUTED, "handling": "reply", "close": False},
    S.OPINION_ISSUED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "none"},
    S.SETTLED: {**_ROUTED, "category": "appeal", "handling": "settle", "close": False},
    S.REVIEW_REQUESTED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "review"},
    S.REVIEW_DECIDED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "review"},
    S.RE_REVIEW_REQUESTED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "re_review"},
    S.TERMINATED: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "re_review", "close": False},
    S.FINAL_NO_APPEAL: {**_ROUTED, "category": "appeal", "route": 6, "handling": "opinion", "remedy": "expire", "close": False},
    S.CLOSED: {"close": True},
    S.VOIDED: {"intake": "po", "routing": "void", "close": False},
}  # fmt: skip


def _adder(steps: list[_Step]) -> Callable[..., None]:
    """``add(action, organ, gap, state, reason="", role=handler, **data)`` appends a step."""

    def add(
        action: Action,
        organ: Organ,
        gap: int,
        state: State,
        reason: str = "",
        role: str = Role.HANDLER,
        **data: Any,
    ) -> None:
        steps.append(_Step(action, organ, gap, state, reason, data, role))

    return add


def _cut_for(steps: list[_Step], want: State) -> int | None:
    """How many steps to keep so the petition ends in ``want`` (the whole run in that state)."""
    if want == S.REGISTERED:
        return 0
    for i, s in enumerate(steps):
        if s.state == want:
            j = i
            while j + 1 < len(steps) and steps[j + 1].state == want:
                j += 1
            if want == S.IN_HANDLING and steps[j].action == A.HEARING_START:
                j -= 1  # keep hearings closed in the showcase
            return j + 1
    return None
