"""Resolution and oversight pages, under /resolution/."""

from django.urls import path

from xinfang.resolution.views import supervision

app_name = "resolution"
urlpatterns = [
    # supervision (督办, Art. 40)
    path("supervision/", supervision.notice_list, name="notices"),
    path("supervision/new/", supervision.notice_new, name="notice_new"),
    path("supervision/<int:notice_id>/", supervision.notice_page, name="notice"),
    path("supervision/<int:notice_id>/reply/", supervision.notice_reply, name="notice_reply"),
    # the escalation ladder's steps addressed to the user's organ
    path("escalations/", supervision.escalations, name="escalations"),
]
