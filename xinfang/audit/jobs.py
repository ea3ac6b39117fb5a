"""Periodic jobs of the audit trail (``xinfang tick``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinfang.core.periodic import periodic


@periodic("audit.anchor", every=timedelta(minutes=1))
def audit_anchor(*, now: datetime) -> dict[str, int]:
    """Write the signed, timestamped heads of every audit chain outside the database
    (``XINFANG_AUDIT_ANCHOR_DIR``), when they moved since the latest anchor (ADR 0014)."""
    from xinfang.audit.anchor import audit_anchor as anchor

    return anchor(now=now)
