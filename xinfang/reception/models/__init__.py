from xinfang.reception.models.appointments import ACTIVE, Appointment, AppointmentStatus
from xinfang.reception.models.joint import JointHandling, JointTask
from xinfang.reception.models.records import Promise, PromiseStatus, ReceptionRecord
from xinfang.reception.models.sessions import (
    ReceptionSchedule,
    ReceptionSession,
    SessionKind,
    SessionLevel,
)
from xinfang.reception.models.visits import VisitItem, VisitKind, VisitPlan, VisitStatus

__all__ = [
    "VisitItem",
    "VisitKind",
    "VisitPlan",
    "VisitStatus",
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
