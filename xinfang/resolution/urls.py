"""Resolution and oversight pages, under /resolution/."""

from django.urls import path

from xinfang.resolution.views import backlog, hearing, mediation, relief, suggestion, supervision

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
    # relief (信访救助, Art. 37)
    path("relief/", relief.relief_list, name="reliefs"),
    path("relief/new/", relief.relief_new, name="relief_new"),
    path("relief/funds/allocate/", relief.fund_allocate, name="fund_allocate"),
    path("relief/funds/<int:fund_id>/", relief.fund_page, name="fund"),
    path("relief/<int:application_id>/", relief.relief_page, name="relief"),
    path("relief/<int:application_id>/notice/", relief.relief_notice, name="relief_notice"),
    path("relief/<int:application_id>/<slug:action>/", relief.relief_act, name="relief_act"),
    # people's suggestions (建议意见类, Art. 29)
    path("suggestions/", suggestion.suggestion_list, name="suggestions"),
    path("suggestions/new/", suggestion.suggestion_new, name="suggestion_new"),
    path("suggestions/<int:suggestion_id>/", suggestion.suggestion_page, name="suggestion"),
    path(
        "suggestions/<int:suggestion_id>/<slug:action>/",
        suggestion.suggestion_act,
        name="suggestion_act",
    ),
    # mediation and settlement (调解、和解, Art. 33)
    path("mediations/", mediation.mediation_list, name="mediations"),
    path("mediations/new/", mediation.mediation_new, name="mediation_new"),
    path("mediations/<int:mediation_id>/", mediation.mediation_page, name="mediation"),
    path(
        "mediations/<int:mediation_id>/<slug:action>/",
        mediation.mediation_act,
        name="mediation_act",
    ),
    # the escalation ladder's steps addressed to the user's organ
    path("escalations/", supervision.escalations, name="escalations"),
]
