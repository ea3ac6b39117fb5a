from xinfang.reception.services.appointments import (
    Booking,
    NewMatter,
    appointment_book_desk,
    appointment_book_portal,
    appointment_cancel,
    appointment_find,
    appointment_rebook,
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

__all__ = [
    "Booking",
    "NewMatter",
    "PromiseInput",
    "SchedulePublished",
    "SessionInput",
    "appointment_book_desk",
    "appointment_book_portal",
    "appointment_cancel",
    "appointment_find",
    "appointment_rebook",
    "leader_name",
    "leader_take_charge",
    "leaders_for",
    "promise_done",
    "record_write",
    "schedule_publish",
    "session_cancel",
    "session_publish",
]
