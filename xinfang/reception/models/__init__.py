from xinfang.reception.models.appointments import ACTIVE, Appointment, AppointmentStatus
from xinfang.reception.models.records import Promise, PromiseStatus, ReceptionRecord
from xinfang.reception.models.sessions import (
    ReceptionSchedule,
    ReceptionSession,
    SessionKind,
)

__all__ = [
    "ACTIVE",
    "Appointment",
    "AppointmentStatus",
    "Promise",
    "PromiseStatus",
    "ReceptionRecord",
    "ReceptionSchedule",
    "ReceptionSession",
    "SessionKind",
]
