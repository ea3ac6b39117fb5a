from xinfang.reception.services.sessions import (
    SchedulePublished,
    SessionInput,
    leaders_for,
    schedule_publish,
    session_cancel,
    session_publish,
)

__all__ = [
    "SchedulePublished",
    "SessionInput",
    "leaders_for",
    "schedule_publish",
    "session_cancel",
    "session_publish",
]
