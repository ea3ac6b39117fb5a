"""Carry out a submission once: one-time form tokens and the API's ``Idempotency-Key``.

A refresh, a double click or a client's retry sends the same submission again; it must never
register twice (DEVELOPERS.md). The form carries a random token in a hidden field (``once_field``
renders it; a form re-shown after an error keeps its token, so the corrected submission still
goes through); an API client sends ``Idempotency-Key``. The view wraps its one service call::

    with once(scope="portal.submit", key=form.cleaned_data["once"]) as claim:
        if claim.prior is not None:          # the same submission was carried out before
            return answer_again(claim.prior)  # e.g. the receipt of the petition it registered
        reg = petition_register(...)
        claim.result = {"petition_id": reg.petition.pk}

The claim is a row inserted in the same transaction as the work: a submission that fails rolls
its claim back with it (and may be sent again); of two at once, the second waits for the first
(the row's unique key) and then sees its result. Without a key (an old form, a client that sends
none) the work is simply done. Keys are kept ``XINFANG_ONCE_DAYS`` days (the job
``core.once_expire``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError

FIELD = "once"  # the hidden field's name in every form that registers something
KEY_MAX = 200  # longest key accepted (the IETF draft sets none; ours are 32 characters)


def token_new() -> str:
    return secrets.token_urlsafe(24)


def once_field() -> forms.CharField:
    """The hidden field of a form's one-time token; give it ``initial=token_new()`` when the
    form is first shown (``once_initial``), and keep the submitted value when it is re-shown."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=KEY_MAX)


def once_initial() -> dict[str, str]:
    return {FIELD: token_new()}


def digest(value: str | bytes) -> str:
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


@dataclass
class Claim:
    prior: dict[str, Any] | None  # the first submission's result when this one is a repeat
    result: dict[str, Any] = field(default_factory=dict)  # set by the caller: what it produced


@contextmanager
def once(*, scope: str, key: str | None, fingerprint: str = "") -> Iterator[Claim]:
    """Claim ``key`` within ``scope`` for the work done in the block (one transaction).

    ``fingerprint`` (a digest of the request) makes a key reused for a different request an
    error (422), as the IETF Idempotency-Key draft asks."""
    if not key:
        claim = Claim(prior=None)
        yield claim
        return
    if len(key) > KEY_MAX:
        raise ApplicationError(
            gettext("Idempotency-Key 过长"),
            code="invalid",
            fields={"Idempotency-Key": [gettext("不超过 200 个字符")]},
        )
    hashed = digest(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                from xinfang.core.models import OnceKey

                OnceKey.objects.create(
                    scope=scope[:80], key=hashed, fingerprint=fingerprint, created_at=clock.now()
                )
            claim = Claim(prior=None)
        except IntegrityError:
            from xinfang.core.models import OnceKey

            row = OnceKey.objects.get(scope=scope[:80], key=hashed)
            if fingerprint and row.fingerprint and row.fingerprint != fingerprint:
                raise ApplicationError(
                    gettext("此 Idempotency-Key 已用于另一个不同的请求"),
                    code="idempotency_key_reused",
                    status=422,
                ) from None
            claim = Claim(prior=dict(row.result or {}))
        yield claim
        if claim.prior is None and claim.result:
            from xinfang.core.models import OnceKey

            OnceKey.objects.filter(scope=scope[:80], key=hashed).update(result=claim.result)


def form_fingerprint(
    scope: str, post: Any, files: list[tuple[str, bytes]], ignore: tuple[str, ...] = ()
) -> str:
    """A digest of what a form says (its fields and its files' contents), without its one-time
    token: the browser's Back button re-shows a form with a fresh token but the typed values
    restored, and sending it again must not register a second time (issue 12)."""
    skip = {FIELD, "csrfmiddlewaretoken", *ignore}
    fields = sorted(
        (k, v) for k in post.keys() if k not in skip for v in post.getlist(k) if str(v).strip()
    )
    contents = sorted(digest(content) for _name, content in files)
    return digest(repr((scope, fields, contents)))


def once_expire(*, now: datetime) -> int:
    """Forget keys older than ``XINFANG_ONCE_DAYS`` days; returns how many."""
    from xinfang.core.models import OnceKey

    days = int(getattr(settings, "XINFANG_ONCE_DAYS", 7))
    deleted, _ = OnceKey.objects.filter(created_at__lt=now - timedelta(days=days)).delete()
    return deleted
