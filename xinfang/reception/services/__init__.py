from xinfang.reception.services.appointments import (
    Booking,
    NewMatter,
    appointment_book_desk,
    appointment_book_portal,
    appointment_cancel,
    appointment_find,
    appointment_rebook,
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
    "SchedulePublished",
    "SessionInput",
    "appointment_book_desk",
    "appointment_book_portal",
    "appointment_cancel",
    "appointment_find",
    "appointment_rebook",
    "leaders_for",
    "schedule_publish",
    "session_cancel",
    "session_publish",
]
