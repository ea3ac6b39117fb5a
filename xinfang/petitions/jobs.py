"""Periodic jobs of petitions (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from xinfang.core.periodic import periodic


@periodic("petitions.attachments_sweep", every=timedelta(minutes=10))
def attachments_sweep(*, now: datetime) -> dict[str, int]:
    """Delete the attachment files of registrations that never committed (a crash between the
    file and its row); see ``services.attachments``."""
    from xinfang.petitions.services.attachments import attachments_sweep as sweep

    return sweep(now=now, grace_seconds=settings.XINFANG_ATTACHMENT_PENDING_GRACE_SECONDS)


@periodic("petitions.anonymise", every=timedelta(days=1))
def anonymise(*, now: datetime) -> dict[str, int]:
    """Remove the identities of parties of petitions closed longer than
    ``XINFANG_RETENTION_YEARS`` (``xinfang manage anonymise_personal_data``; idempotent)."""
    from xinfang.petitions.privacy import party_anonymise_expired

    return {"anonymised": party_anonymise_expired(now=now)}
