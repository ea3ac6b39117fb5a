"""Who may do what: one table, read by pages, the API and the service gate alike.

Each role lists the workflow actions it may take for its own organ. Jurisdiction (which
petitions a user sees at all) is decided in petitions.selectors; this table decides the verbs.
"""

from __future__ import annotations

from xinfang.directory.models import Role, User
from xinfang.petitions.workflow import Action

A = Action
_HANDLING = {
    A.ACKNOWLEDGE,
    A.REDIRECT,
    A.NOT_ACCEPT,
    A.OBJECT,
    A.CHANNEL,
    A.START_HANDLING,
    A.HEARING_START,
    A.HEARING_END,
    A.SETTLE,
    A.REPLY,
    A.RECORD_DELIVERY,
    A.REPORT_RESULT,
    A.REQUEST_REVIEW,
    A.REQUEST_RE_REVIEW,
    A.EXPIRE_WINDOW,
    A.CLOSE,
}
_ROUTING = {
    A.REGISTER,
    A.TRANSFER,
    A.ASSIGN,
    A.REFER_LEGAL,
    A.REFER_DISCIPLINE,
    A.NOT_ACCEPT,
    A.OBJECTION_ACCEPT,
    A.OBJECTION_REJECT,
    A.RECORD_DELIVERY,
    A.CLOSE,
}
# Signing decisions and approving extensions is for the organ's head (Arts. 32, 34–36).
_SIGNING = {A.EXTEND, A.ISSUE_OPINION, A.DECIDE_REVIEW, A.DECIDE_RE_REVIEW}

PERMISSIONS: dict[str, frozenset[Action]] = {
    Role.REGISTRAR: frozenset(
        _ROUTING | {A.ACKNOWLEDGE, A.REDIRECT, A.REQUEST_REVIEW, A.REQUEST_RE_REVIEW}
    ),
    Role.HANDLER: frozenset(_HANDLING | {A.TRANSFER, A.REFER_DISCIPLINE}),
    Role.ORGAN_HEAD: frozenset(_HANDLING | _ROUTING | _SIGNING),
    Role.SUPERVISOR: frozenset(),
    Role.LEADER: frozenset(),
    Role.ANALYST: frozenset(),
    Role.ADMIN: frozenset(),
}
#: Roles that may register new petitions (the intake desk).
CAN_REGISTER = frozenset({Role.REGISTRAR, Role.ORGAN_HEAD})


def user_roles(user: User) -> frozenset[str]:
    cached = getattr(user, "_xinfang_roles", None)
    if cached is None:
        from xinfang.directory.models import Membership

        cached = frozenset(
            Membership.objects.filter(user_id=user.pk).values_list("role", flat=True)
        )
        user._xinfang_roles = cached  # type: ignore[attr-defined]
    return cached


def user_actions(user: User) -> frozenset[Action]:
    out: set[Action] = set()
    for r in user_roles(user):
        out |= PERMISSIONS.get(r, frozenset())
    return frozenset(out)


def user_can_act(user: User, action: Action) -> bool:
    return action in user_actions(user)


def user_can_register(user: User) -> bool:
    return bool(user_roles(user) & CAN_REGISTER)
