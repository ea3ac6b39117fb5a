"""Reception pages, under /reception/ (staff)."""

from django.urls import path

from xinfang.reception.views import hall, joint, records, sessions, video, visits

app_name = "reception"
urlpatterns = [
    path("board/", records.board, name="board"),
    path("hall/", hall.hall, name="hall"),
    path("hall/<int:appointment_id>/<str:step>/", hall.hall_step, name="hall_step"),
    path("joint/", joint.joint_list, name="joint_list"),
    path("joint/new/", joint.joint_new, name="joint_new"),
    path("joint/<int:joint_id>/", joint.joint_page, name="joint"),
    path("joint/<int:joint_id>/<str:form>/", joint.joint_post, name="joint_post"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/new/", visits.visit_new, name="visit_new"),
    path("visits/<int:plan_id>/", visits.visit_page, name="visit"),
    path("visits/<int:plan_id>/close/", visits.visit_close_view, name="visit_close"),
    path("records/new/", records.record_new, name="record_new"),
    path("records/<int:record_id>/", records.record_page, name="record"),
    path(
        "records/<int:record_id>/participants/",
        video.record_participants,
        name="record_participants",
    ),
    path("sessions/<int:session_id>/levels/", video.session_levels, name="session_levels"),
    path("records/<int:record_id>/<str:form>/", records.record_post, name="record_post"),
    path("", sessions.calendar, name="calendar"),
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/<int:session_id>/", sessions.session_page, name="session"),
    path("sessions/<int:session_id>/cancel/", sessions.session_cancel_view, name="session_cancel"),
    path("sessions/<int:session_id>/book/", sessions.session_book, name="session_book"),
    path(
        "sessions/<int:session_id>/appointments/cancel/",
        sessions.appointment_cancel_view,
        name="appointment_cancel",
    ),
]
