"""Two administrators for the changes that give power over the system (issue 11, ADR 0013).

An administrator manages users, organs and settings; it reads no petition (信访工作条例
Art. 30 para 3 and Art. 46(5): an accusation never reaches the accused, whoever runs the
software). Two changes would let one administrator get round that alone: making a user (an
accomplice, or a second account of its own) an administrator, and setting another
administrator's password (and so logging in as that administrator). Each is therefore a
request of one administrator that a *different* administrator, who manages the same user,
approves or rejects:

- ``grant_request_create``: a role of ``two_person_roles()`` (the admin role; more by the
  setting ``XINFANG_TWO_PERSON_ROLES``) asked for a user, recorded pending;
- ``password_reset_request``: a new password for another administrator, kept as its hash only;
- ``grant_request_decide``: approved (the role is granted, the password set) or rejected by a
  second administrator; approving or rejecting one's own request, or a request about oneself,
  is refused.

Everything is an audit record: ``staff.grant_requested``, ``staff.password_reset_requested``,
``staff.grant`` / ``staff.password_reset`` (with who asked and who approved),
``staff.request_rejected`` and ``staff.approval_refused`` (a refused attempt to decide).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import GrantRequest, Membership, Organ, Role, User
from xinfang.directory.permissions import Cap, user_can, user_roles

NOTE_MAX = 500


def two_person_roles() -> frozenset[str]:
    """Roles granted only with a second administrator's approval: the admin role always, and
    those named in ``XINFANG_TWO_PERSON_ROLES`` (comma-separated role codes)."""
    extra = getattr(settings, "XINFANG_TWO_PERSON_ROLES", "") or ""
    named = {r.strip() for r in str(extra).split(",") if r.strip()}
    return frozenset({Role.ADMIN.value} | (named & set(Role.values)))


def manages(actor: User, user: User) -> bool:
    """Whether ``actor`` administers ``user``: an administrator manages the staff of its own
    organ's subtree (one without an organ: everyone)."""
    if not user_can(actor, Cap.ADMIN):
        return False
    organ = actor.organ
    if organ is None:
        return True
    if user.organ_id is None:
        return False
    return Organ.objects.filter(
        pk=user.organ_id, path__startswith=organ.path or f"/{organ.pk}/"
    ).exists()


def _audit(kind: str, actor: User, user_id: int, data: dict[str, Any]) -> None:
    from xinfang.audit.services import audit_record

    audit_record(kind=kind, actor=actor, object_type="user", object_id=user_id, data=data)


def _require_admin_over(actor: User, user: User) -> None:
    if not manages(actor, user):
        raise Forbidden(gettext("只能管理本机关及其下级机关的工作人员"))
    if actor.pk == user.pk:
        raise Forbidden(gettext("不能更改自己的机关、角色或状态"))


def approvers_for(*, actor: User, user: User) -> list[User]:
    """The administrators other than ``actor`` (and ``user``) who could decide a request about
    ``user``: a request nobody can decide would wait forever, so it is refused up front."""
    admins = User.objects.filter(is_active=True, memberships__role=Role.ADMIN).exclude(
        pk__in=[actor.pk, user.pk]
    )
    return [a for a in admins.select_related("organ").distinct() if manages(a, user)]


def _require_second_admin(actor: User, user: User) -> None:
    if not approvers_for(actor=actor, user=user):
        raise ApplicationError(
            gettext(
                "没有另一名管理员可以批准这项申请（须由管理该工作人员的另一名管理员批准）。"
                "请先由上级机关的管理员为本机关增设一名管理员。"
            ),
            code="no_second_admin",
            status=409,
        )


def grant_request_create(
    *, actor: User, user: User, role: str, at: datetime | None = None
) -> GrantRequest:
    """Ask for ``role`` for ``user``; it is granted when a second administrator approves.
    Asking again while a request is pending returns that request."""
    at = at or clock.now()
    _require_admin_over(actor, user)
    if role not in two_person_roles():
        raise ApplicationError(gettext("该角色无需双人批准，可直接授予"), status=400)
    if role in user_roles(user):
        raise ApplicationError(gettext("该工作人员已有此角色"), status=409)
    _require_second_admin(actor, user)
    pending = GrantRequest.objects.filter(
        user=user, kind=GrantRequest.Kind.ROLE, role=role, status=GrantRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    with transaction.atomic():
        req = GrantRequest.objects.create(
            kind=GrantRequest.Kind.ROLE, user=user, role=role, requested_by=actor, requested_at=at
        )
        _audit("staff.grant_requested", actor, user.pk, {"request": req.pk, "role": role})
    return req


def password_reset_request(
    *, actor: User, user: User, password_hash: str, at: datetime | None = None
) -> GrantRequest:
    """Ask to set another administrator's password (given as its hash, never in clear)."""
    at = at or clock.now()
    _require_admin_over(actor, user)
    _require_second_admin(actor, user)
    try:
        with transaction.atomic():
            req = GrantRequest.objects.create(
                kind=GrantRequest.Kind.PASSWORD,
                user=user,
                password_hash=password_hash,
                requested_by=actor,
                requested_at=at,
            )
            _audit("staff.password_reset_requested", actor, user.pk, {"request": req.pk})
    except IntegrityError:
        raise ApplicationError(
            gettext("该管理员已有一项待批准的密码重置申请"), code="conflict", status=409
        ) from None
    return req


def password_reset_needs_approval(*, actor: User, user: User) -> bool:
    """Setting ``user``'s password takes a second administrator: another administrator's."""
    return actor.pk != user.pk and bool(user_roles(user) & two_person_roles())


def grant_request_decide(
    *, actor: User, request_id: int, approve: bool, note: str = "", at: datetime | None = None
) -> GrantRequest:
    """A second administrator approves (the change is made) or rejects a pending request; a
    rejection names its reason (``note``)."""
    at = at or clock.now()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            gettext("说明过长"), fields={"note": [gettext("不超过 500 个字")]}, status=400
        )
    req = GrantRequest.objects.select_related("user").filter(pk=request_id).first()
    if req is None or not manages(actor, req.user):
        raise NotFound(gettext("未找到该申请"))
    refusal = None
    if req.requested_by_id == actor.pk:
        refusal = gettext("不能批准或驳回自己提出的申请：须由另一名管理员处理")
    elif req.user_id == actor.pk:
        refusal = gettext("不能处理与自己有关的申请：须由另一名管理员处理")
    if refusal is not None:
        _audit(
            "staff.approval_refused",
            actor,
            req.user_id,
            {"request": req.pk, "approve": approve, "reason": "self"},
        )
        raise Forbidden(refusal)
    if not approve and not note:  # the requester and the audit trail learn why
        raise ApplicationError(
            gettext("请写明驳回理由"), fields={"note": [gettext("请写明驳回理由")]}, status=400
        )
    with transaction.atomic():
        req = GrantRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != GrantRequest.Status.PENDING:
            raise ApplicationError(gettext("该申请已处理"), code="conflict", status=409)
        user = User.objects.select_for_update().get(pk=req.user_id)
        basis = {"request": req.pk, "requested_by": req.requested_by_id, "approved_by": actor.pk}
        if approve and req.kind == GrantRequest.Kind.ROLE:
            Membership.objects.get_or_create(user=user, role=req.role)
            if req.role == Role.ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=True)
            _audit("staff.grant", actor, user.pk, {"role": req.role, **basis})
        elif approve:
            User.objects.filter(pk=user.pk).update(password=req.password_hash)
            _audit("staff.password_reset", actor, user.pk, basis)
        else:
            _audit(
                "staff.request_rejected",
                actor,
                user.pk,
                {"kind": req.kind, "role": req.role, **basis, "note": note},
            )
        req.status = GrantRequest.Status.APPROVED if approve else GrantRequest.Status.REJECTED
        req.decided_by, req.decided_at, req.note = actor, at, note
        req.password_hash = ""  # not kept once decided
        req.save(update_fields=["status", "decided_by", "decided_at", "note", "password_hash"])
    return req


def grant_requests_for_user(*, user: User, pending: bool = True) -> QuerySet[GrantRequest]:
    """The requests about the staff ``user`` administers (pending, or the latest decided)."""
    if not user_can(user, Cap.ADMIN):
        return GrantRequest.objects.none()
    qs = GrantRequest.objects.select_related("user", "requested_by", "decided_by")
    organ = user.organ
    if organ is not None:
        qs = qs.filter(user__organ__path__startswith=organ.path or f"/{organ.pk}/")
    if pending:
        return qs.filter(status=GrantRequest.Status.PENDING).order_by("requested_at", "pk")
    return qs.exclude(status=GrantRequest.Status.PENDING).order_by("-decided_at", "-pk")
