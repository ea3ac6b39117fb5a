"""Client keys of Open311 applications: issued and revoked by administrators, each step an
audit record; only a SHA-256 of a key is stored, the key itself is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.columns import column_problems
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.exchange.models import Open311Key

KEY_PREFIX = "o311_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _may_manage(actor: User | None) -> bool:
    """Keys are managed by administrators (of the installation or of an organ), or from the
    server's command line (``actor`` None: whoever runs ``manage.py`` already holds the
    installation)."""
    if actor is None:
        return True
    return user_can(actor, Cap.ADMIN)


def open311_key_issue(
    *, name: str, actor: User | None, contact: str = "", at: datetime | None = None
) -> tuple[Open311Key, str]:
    """A new key for the application ``name``; returns the row and the key (shown once)."""
    if not _may_manage(actor):
        raise Forbidden(gettext("只有管理员可以签发 Open311 应用密钥"))
    name, contact = " ".join(name.split()), " ".join(contact.split())
    problems = column_problems(Open311Key, {"name": name, "contact": contact})
    if not name:
        problems.setdefault("name", []).append(gettext("请填写应用名称"))
    if problems:
        raise ApplicationError(gettext("密钥信息有误"), fields=problems)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = at or clock.now()
    with transaction.atomic():
        row = Open311Key.objects.create(
            name=name,
            contact=contact,
            prefix=key[: len(KEY_PREFIX) + 6],
            key_hash=_hash(key),
            issued_by=actor,
            issued_at=now,
        )
        audit_record(
            kind="open311.key_issue",
            actor=actor,
            object_type="open311_key",
            object_id=row.pk,
            data={"name": name, "prefix": row.prefix},
            at=now,
        )
    return row, key


def open311_key_revoke(
    *, key_id: int, actor: User | None, at: datetime | None = None
) -> Open311Key:
    if not _may_manage(actor):
        raise Forbidden(gettext("只有管理员可以吊销 Open311 应用密钥"))
    now = at or clock.now()
    with transaction.atomic():
        row = Open311Key.objects.select_for_update().filter(pk=key_id).first()
        if row is None:
            raise NotFound(gettext("没有这个密钥"))
        if row.revoked_at is None:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
            audit_record(
                kind="open311.key_revoke",
                actor=actor,
                object_type="open311_key",
                object_id=row.pk,
                data={"name": row.name, "prefix": row.prefix},
                at=now,
            )
    return row


def open311_key_check(*, key: str) -> Open311Key | None:
    """The live key row for ``key``, or None (unknown, malformed or revoked)."""
    if not key or len(key) > 100 or not key.startswith(KEY_PREFIX):
        return None
    row = Open311Key.objects.filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if row is not None:
        now = clock.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            Open311Key.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
