from xinfang.reception.selectors.appointments import (
    appointment_by_code,
    appointments_of_session,
    sessions_open_for_booking,
)
from xinfang.reception.selectors.board import (
    board_petitions,
    board_promises,
    leader_name,
    record_get_for_user,
    records_of_petition,
)
from xinfang.reception.selectors.hall import HallSession, hall_for_user
from xinfang.reception.selectors.joint import (
    joint_get_for_user,
    joint_list_for_user,
    joint_tasks_for_organ,
)
from xinfang.reception.selectors.sessions import (
    CALENDAR_PAGE,
    calendar_page_for_user,
    session_get_for_user,
    sessions_for_user,
)
from xinfang.reception.selectors.visits import (
    visit_get_for_user,
    visit_petitions_for_user,
    visit_records_for_user,
    visits_for_user,
)

__all__ = [
    "visit_get_for_user",
    "visit_petitions_for_user",
    "visit_records_for_user",
    "visits_for_user",
    "HallSession",
    "hall_for_user",
    "CALENDAR_PAGE",
    "calendar_page_for_user",
    "appointment_by_code",
    "appointments_of_session",
    "board_petitions",
    "board_promises",
    "joint_get_for_user",
    "joint_list_for_user",
    "joint_tasks_for_organ",
    "leader_name",
    "record_get_for_user",
    "records_of_petition",
    "session_get_for_user",
    "sessions_for_user",
    "sessions_open_for_booking",
]
