from xinfang.reception.models.appointments import ACTIVE, Appointment, AppointmentStatus
from xinfang.reception.models.joint import JointHandling, JointTask
from xinfang.reception.models.records import Promise, PromiseStatus, ReceptionRecord
from xinfang.reception.models.sessions import (
    ReceptionSchedule,
    ReceptionSession,
    SessionKind,
    SessionLevel,
)

__all__ = [
    "ACTIVE",
    "Appointment",
    "AppointmentStatus",
    "JointHandling",
    "JointTask",
    "Promise",
    "PromiseStatus",
    "ReceptionRecord",
    "ReceptionSchedule",
    "ReceptionSession",
    "SessionKind",
    "SessionLevel",
]
