"""Resolution and oversight pages, under /resolution/."""

from django.urls import path

from xinfang.resolution.views import backlog, hearing, supervision

app_name = "resolution"
urlpatterns = [
    # supervision (督办, Art. 40)
    path("supervision/", supervision.notice_list, name="notices"),
    path("supervision/new/", supervision.notice_new, name="notice_new"),
    path("supervision/<int:notice_id>/", supervision.notice_page, name="notice"),
    path("supervision/<int:notice_id>/reply/", supervision.notice_reply, name="notice_reply"),
    # backlog cases (积案化解)
    path("backlog/", backlog.board, name="backlog"),
    path("backlog/<int:case_id>/", backlog.case_page, name="backlog_case"),
    path("backlog/<int:case_id>/<slug:action>/", backlog.case_act, name="backlog_act"),
    # hearings (听证, Arts. 31(6), 36 para 2)
    path("hearings/", hearing.hearing_list, name="hearings"),
    path("hearings/new/", hearing.hearing_new, name="hearing_new"),
    path("hearings/<int:hearing_id>/", hearing.hearing_page, name="hearing"),
    path("hearings/<int:hearing_id>/<slug:action>/", hearing.hearing_act, name="hearing_act"),
    # the escalation ladder's steps addressed to the user's organ
    path("escalations/", supervision.escalations, name="escalations"),
]
