from xinfang.reception.models.sessions import (
    ReceptionSchedule,
    ReceptionSession,
    SessionKind,
)

__all__ = ["ReceptionSchedule", "ReceptionSession", "SessionKind"]
