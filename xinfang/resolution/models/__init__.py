"""The models of resolution and oversight, one module per mechanism."""

from xinfang.resolution.models.supervision import (
    Audience,
    Escalation,
    NoticeStatus,
    Reason,
    SupervisionNotice,
    SupervisionPetition,
)

__all__ = [
    "Audience",
    "Escalation",
    "NoticeStatus",
    "Reason",
    "SupervisionNotice",
    "SupervisionPetition",
]
