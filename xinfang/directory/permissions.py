"""Who may do what: ONE table, read by pages, the API, the service gate, exports and analytics.

``CAPABILITIES`` maps each role to what it may do: the workflow actions it may take for its own
organ (``Action`` values) and the capabilities below (``Cap`` values). Jurisdiction (which
petitions a user sees at all: their organ and those below it, petition offices their region,
never an accusation against their organ or an organ above it) is decided in
``petitions.selectors._visible``; this table decides the verbs and what a role may see.

The authorisation matrix test (tests/test_authorization_matrix.py) is generated from this
table: change a row here and the expected answer of every page and API operation changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from xinfang.directory.models import Level, Role, User
from xinfang.petitions.workflow import Action


class Cap(StrEnum):
    """Capabilities other than the workflow actions. Registering new petitions at the intake
    desk is the workflow action ``register``; no value here may equal an action's value."""

    VIEW_PETITIONS = "view_petitions"  # list, search and read petitions within jurisdiction
    VIEW_IDENTITY = "view_identity"  # unmasked identity numbers and phones (each display logged)
    VIEW_DEIDENTIFIED = "view_deidentified"  # de-identified, aggregate data only (analytics)
    EXPORT = "export"  # export lists (identities masked unless VIEW_IDENTITY as well)
    API = "api"  # use the REST API with a bearer token
    ADMIN = "admin"  # the admin site: organs, staff, roles, policy tables
    AUDIT = "audit"  # read the audit trail and run `xinfang audit verify`
    VIEW_HOT_ISSUES = "view_hot_issues"  # hot issues: matters and places, counts only
    # Source prevention (xinfang.prevention, regulation §10): matters, decisions and organs only.
    PREVENTION_VIEW = "prevention_view"  # dispute ledgers, risk assessments, joint conferences
    PREVENTION_RECORD = "prevention_record"  # record disputes, mediation, assessment work, tasks
    PREVENTION_DECIDE = "prevention_decide"  # conclude an assessment, conference decisions, policy
    # Reception (xinfang.reception, Art. 18): reception days, appointments, records, 包案 boards.
    RECEPTION_VIEW = "reception_view"  # the reception calendar, the leader's board
    RECEPTION_MANAGE = "reception_manage"  # publish sessions, book at the desk, write records
    # Resolution and oversight (xinfang.resolution, regulation §9, §10).
    RESOLUTION_VIEW = "resolution_view"  # supervision notices, escalations of the jurisdiction
    SUPERVISE = "supervise"  # issue a supervision notice (a petition office's staff, Art. 40)
    SUPERVISION_REPLY = "supervision_reply"  # the organ's written reply to a notice (its head)
    BACKLOG_MANAGE = "backlog_manage"  # confirm a backlog case, its plan, progress, close-out
    # Relief (信访救助, Art. 37): a handler applies for a petitioner in hardship; the organ's
    # head approves, then the head of the organ that owns the fund, who also records payments.
    RELIEF_APPLY = "relief_apply"
    RELIEF_DECIDE = "relief_decide"
    # Draft a decision the organ's head signs (the handling opinion, an extension, a review or
    # re-review opinion) and submit it for signing (Arts. 32, 34–36; issue 12, item 7).
    DRAFT_DECISION = "draft_decision"


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
    A.VOID,  # a mistaken or duplicate registration, by the registering office (issue 12)
    A.TRANSFER,
    A.ASSIGN,
    A.TAKE_BACK,  # an undelivered hand-over to another installation (issue 20): who sends it
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
_CASEWORK = {Cap.VIEW_PETITIONS, Cap.VIEW_IDENTITY, Cap.EXPORT, Cap.API}
_PREVENTION = {Cap.PREVENTION_VIEW, Cap.PREVENTION_RECORD}
_RECEPTION = {Cap.RECEPTION_VIEW, Cap.RECEPTION_MANAGE}
# Supervision is the petition office's act (the services check the organ's kind as well).
_SUPERVISION = {Cap.RESOLUTION_VIEW, Cap.SUPERVISE}
# Backlog cases (积案化解) are confirmed and worked off by petition-office staff and organ heads.
_BACKLOG = {Cap.RESOLUTION_VIEW, Cap.BACKLOG_MANAGE}

#: THE table. Everything below is derived from it.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.REGISTRAR: frozenset(
        _CASEWORK
        | _ROUTING
        | _PREVENTION
        | _RECEPTION
        | _SUPERVISION
        | _BACKLOG
        | {A.ACKNOWLEDGE, A.REDIRECT, A.REQUEST_REVIEW, A.REQUEST_RE_REVIEW, Cap.RELIEF_APPLY}
    ),
    Role.HANDLER: frozenset(
        _CASEWORK
        | _HANDLING
        | _PREVENTION
        | {
            Cap.RECEPTION_VIEW,
            Cap.RESOLUTION_VIEW,
            Cap.DRAFT_DECISION,
            Cap.RELIEF_APPLY,
            A.TRANSFER,
            A.TAKE_BACK,  # the roles that transfer take back what never arrived (issue 20)
            A.REFER_DISCIPLINE,
        }
    ),
    Role.ORGAN_HEAD: frozenset(
        _CASEWORK
        | _HANDLING
        | _ROUTING
        | _SIGNING
        | _PREVENTION
        | _RECEPTION
        | _SUPERVISION
        | _BACKLOG
        | {
            Cap.PREVENTION_DECIDE,
            Cap.SUPERVISION_REPLY,
            Cap.DRAFT_DECISION,
            Cap.RELIEF_APPLY,
            Cap.RELIEF_DECIDE,
        }
    ),
    # Supervision and leadership read the files of their jurisdiction; identities stay masked.
    # The role named for 督查督办 issues the petition office's supervision notices (Art. 40: the
    # petition department supervises; the service refuses one outside a petition office).
    Role.SUPERVISOR: frozenset(
        {
            Cap.SUPERVISE,
            Cap.VIEW_PETITIONS,
            Cap.EXPORT,
            Cap.API,
            Cap.PREVENTION_VIEW,
            Cap.RECEPTION_VIEW,
            Cap.RESOLUTION_VIEW,
        }
    ),
    # A leader also reads the statistics of the jurisdiction (de-identified; issue 12, item 6).
    Role.LEADER: frozenset(
        {
            Cap.VIEW_PETITIONS,
            Cap.VIEW_DEIDENTIFIED,
            Cap.API,
            Cap.VIEW_HOT_ISSUES,
            Cap.PREVENTION_VIEW,
            Cap.PREVENTION_DECIDE,
            Cap.RECEPTION_VIEW,  # the leader's own calendar and board (Art. 18 para 2)
            Cap.RESOLUTION_VIEW,
        }
    ),
    # Analysts see de-identified aggregates only: no petition, no list, no count by person.
    Role.ANALYST: frozenset({Cap.VIEW_DEIDENTIFIED, Cap.API, Cap.VIEW_HOT_ISSUES}),
    # Administrators run the system, not the cases: no petition content.
    Role.ADMIN: frozenset({Cap.ADMIN, Cap.AUDIT}),
}

#: Role -> workflow actions (what the service gate ``actor_may`` reads).
PERMISSIONS: dict[str, frozenset[Action]] = {
    role: frozenset(x for x in caps if isinstance(x, Action)) for role, caps in CAPABILITIES.items()
}
#: Roles that may register new petitions (the intake desk).
CAN_REGISTER = frozenset(r for r, caps in CAPABILITIES.items() if A.REGISTER in caps)


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def user_roles(user: User) -> frozenset[str]:
    cached = getattr(user, "_xinfang_roles", None)
    if cached is None:
        from xinfang.core.prepared import values_by_ids
        from xinfang.directory.models import Membership

        # read at nearly every request: a query compiled once per connection (issue 14)
        rows = (
            values_by_ids(
                "directory.user_roles",
                lambda ids: Membership.objects.filter(user_id__in=ids).values_list("role"),
                [user.pk],
            )
            if user.pk is not None
            else []
        )
        cached = frozenset(role for (role,) in rows)
        if getattr(user, "is_superuser", False):
            # `createsuperuser` makes an administrator: the admin role's row of the table, never
            # more (ADR 0013: nobody is omnipotent)
            cached |= {Role.ADMIN}
        user._xinfang_roles = cached  # type: ignore[attr-defined]
    return cached


def user_roles_prime(users: Iterable[User]) -> None:
    """Read the roles of many users in one query, for a job that checks each of them (the
    hot-issue worker's readers); ``user_roles`` then asks nothing more."""
    from xinfang.directory.models import Membership

    users = [u for u in users if getattr(u, "_xinfang_roles", None) is None]
    held: dict[int, set[str]] = {u.pk: set() for u in users}
    for uid, role in Membership.objects.filter(user__is_active=True).values_list("user_id", "role"):
        if uid in held:
            held[uid].add(role)
    for u in users:
        admin = {Role.ADMIN} if getattr(u, "is_superuser", False) else set()
        u._xinfang_roles = frozenset(held[u.pk] | admin)  # type: ignore[attr-defined]


def user_capabilities(user: User) -> frozenset[str]:
    """Everything the user's roles allow (actions and capabilities); nothing when inactive."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    out: set[str] = set()
    for r in user_roles(user):
        out |= CAPABILITIES.get(r, frozenset())
    return frozenset(out)


def user_can(user: User, capability: str) -> bool:
    return capability in user_capabilities(user)


#: The levels whose administrators hold what is set once for the whole installation: the
#: backlog criteria (Art. 36 para 3, the province's 积案 standard), the peers of the federation
#: and the Open311 keys (trust anchors of every organ's petitions, issue 20).
INSTALLATION_LEVELS = frozenset({Level.PROVINCE, Level.NATIONAL})


def user_administers_installation(user: User) -> bool:
    """An administrator of a province-level (or higher) organ: the installation's settings.
    A county or city administrator administers its own organs only."""
    organ = getattr(user, "organ", None)
    return organ is not None and organ.level in INSTALLATION_LEVELS and user_can(user, Cap.ADMIN)


def user_actions(user: User) -> frozenset[Action]:
    return frozenset(x for x in user_capabilities(user) if isinstance(x, Action))


def user_can_act(user: User, action: Action) -> bool:
    return action in user_actions(user)


def user_can_register(user: User) -> bool:
    return user_can(user, A.REGISTER)
