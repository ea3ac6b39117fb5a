from xinfang.reception.services.appointments import (
    Booking,
    NewMatter,
    appointment_book_desk,
    appointment_book_portal,
    appointment_cancel,
    appointment_find,
    appointment_rebook,
)
from xinfang.reception.services.hall import appointment_arrive, appointment_call
from xinfang.reception.services.joint import (
    TaskInput,
    joint_reply,
    joint_sign,
    joint_start,
    statutory_limit,
)
from xinfang.reception.services.records import (
    PromiseInput,
    leader_name,
    leader_take_charge,
    promise_done,
    record_write,
)
from xinfang.reception.services.sessions import (
    SchedulePublished,
    SessionInput,
    leaders_for,
    schedule_publish,
    session_cancel,
    session_publish,
)
from xinfang.reception.services.video import record_participants_set, session_levels_set
from xinfang.reception.services.visits import VisitInput, visit_close, visit_plan

__all__ = [
    "VisitInput",
    "visit_close",
    "visit_plan",
    "record_participants_set",
    "session_levels_set",
    "appointment_arrive",
    "appointment_call",
    "Booking",
    "NewMatter",
    "PromiseInput",
    "SchedulePublished",
    "SessionInput",
    "TaskInput",
    "appointment_book_desk",
    "appointment_book_portal",
    "appointment_cancel",
    "appointment_find",
    "appointment_rebook",
    "joint_reply",
    "joint_sign",
    "joint_start",
    "leader_name",
    "leader_take_charge",
    "leaders_for",
    "promise_done",
    "record_write",
    "schedule_publish",
    "session_cancel",
    "session_publish",
    "statutory_limit",
]
