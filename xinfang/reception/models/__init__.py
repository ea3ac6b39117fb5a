from xinfang.reception.models.appointments import ACTIVE, Appointment, AppointmentStatus
from xinfang.reception.models.sessions import (
    ReceptionSchedule,
    ReceptionSession,
    SessionKind,
)

__all__ = [
    "ACTIVE",
    "Appointment",
    "AppointmentStatus",
    "ReceptionSchedule",
    "ReceptionSession",
    "SessionKind",
]
