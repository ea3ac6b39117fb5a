"""Mechanism tables of ``core`` (no domain meaning of their own)."""

from __future__ import annotations

from django.db import models


class OnceKey(models.Model):
    """One submission that has been carried out: a form's one-time token or an API client's
    ``Idempotency-Key``, stored as a digest within its scope (``xinfang.core.once``)."""

    scope = models.CharField(max_length=80)  # e.g. "portal.submit", "api:12:POST /petitions"
    key = models.CharField(max_length=64)  # SHA-256 of the token, never the token itself
    fingerprint = models.CharField(max_length=64, blank=True)  # digest of the request body
    result = models.JSONField(default=dict, blank=True)  # what the first submission produced
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_oncekey_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}"


class HeldUpload(models.Model):
    """A file attached to a form that came back with an error: kept, bound to the form's
    one-time token (``xinfang.core.once``), until the form is sent again, or for a day
    (``xinfang.core.held``), so that nothing attached is lost (issue 12)."""

    token = models.CharField(max_length=64, db_index=True)  # SHA-256 of the form's token
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_index=True)
