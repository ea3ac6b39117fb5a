"""Writes of resolution and oversight: keyword-only services, each one transaction."""

from xinfang.resolution.services.escalation import escalate
from xinfang.resolution.services.supervision import supervision_issue, supervision_reply

__all__ = ["escalate", "supervision_issue", "supervision_reply"]
