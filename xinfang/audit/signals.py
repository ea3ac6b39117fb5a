"""Audit records for logins (with the client's address), admin actions and API tokens.

Signals only record here; no rule lives in them (design.md habit 1).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from xinfang.audit.context import client_ip
from xinfang.audit.services import audit_record

_ADMIN_KIND = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def _logged_in(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    audit_record(
        kind="login", actor=user, object_type="user", object_id=user.pk, ip=client_ip(request)
    )


def _logged_out(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    if user is not None:
        audit_record(
            kind="logout", actor=user, object_type="user", object_id=user.pk, ip=client_ip(request)
        )


def _login_failed(sender: Any, credentials: dict, request: Any = None, **kw: Any) -> None:
    # Django has already replaced the password in ``credentials`` with stars; keep the name only.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        kind="login.failed", object_type="login", object_id=username, ip=client_ip(request)
    )


def _admin_logged(sender: Any, instance: LogEntry, created: bool, **kw: Any) -> None:
    if not created:
        return
    audit_record(
        kind=_ADMIN_KIND.get(instance.action_flag, "admin.action"),
        actor=instance.user,
        object_type=(
            f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else ""
        ),
        object_id=instance.object_id or "",
        data={"repr": instance.object_repr, "change": instance.get_change_message()},
    )


def _token_issued(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if created:
        audit_record(
            kind="token.issue",
            actor=instance.user,
            object_type="api_token",
            object_id=instance.pk,
            data={"name": instance.name},
        )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="xinfang.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="xinfang.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="xinfang.audit.login_failed")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="xinfang.audit.admin")
    if apps.is_installed("xinfang.api"):
        post_save.connect(
            _token_issued,
            sender=apps.get_model("api", "ApiToken"),
            dispatch_uid="xinfang.audit.token",
        )
