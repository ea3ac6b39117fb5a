from django.contrib.auth import views as auth_views
from django.urls import path

from xinfang.insight.classify import views as topic_views
from xinfang.insight.opinions import views as opinion_views
from xinfang.web import editor, exports, intake, pickers, views, workbench

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/filters/", workbench.saved_filter_create, name="saved_filter_create"),
    path(
        "worklist/filters/<int:filter_id>/delete/",
        workbench.saved_filter_delete,
        name="saved_filter_delete",
    ),
    path("search/", workbench.search, name="search"),
    path("intake/", intake.intake, name="intake_default"),
    path("intake/online/", intake.intake_online, name="intake_online"),
    path("intake/similar/", intake.intake_similar, name="intake_similar"),
    path("intake/organs/", pickers.intake_organs_view, name="intake_organs"),
    path("intake/receipt/<int:petition_id>/", intake.intake_receipt, name="intake_receipt"),
    path("intake/<str:channel>/", intake.intake, name="intake"),
    path("export/petitions.csv", exports.export_petitions, {"fmt": "csv"}, name="export_csv"),
    path("export/petitions.xlsx", exports.export_petitions, {"fmt": "xlsx"}, name="export_xlsx"),
    path("petitions/<int:petition_id>/", views.petition_detail, name="petition"),
    path(
        "petitions/<int:petition_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("petitions/<int:petition_id>/flags/", views.petition_flag_view, name="petition_flag"),
    path(
        "petitions/<int:petition_id>/accused/",
        views.petition_accused_view,
        name="petition_accused",
    ),
    path(
        "petitions/<int:petition_id>/topic/",
        topic_views.petition_topic_view,
        name="petition_topic",
    ),
    path(
        "petitions/<int:petition_id>/opinion-check/",
        opinion_views.opinion_check_view,
        name="petition_opinion_check",
    ),
    path(
        "petitions/<int:petition_id>/draft/<str:action>/",
        editor.draft_editor,
        name="draft_editor",
    ),
    path(
        "petitions/<int:petition_id>/draft/<str:action>/preview/",
        editor.draft_preview_page,
        name="draft_preview",
    ),
    path(
        "petitions/<int:petition_id>/act/<str:action>/",
        views.petition_act_view,
        name="petition_act",
    ),
    path(
        "petitions/<int:petition_id>/targets/<str:action>/",
        pickers.petition_targets_view,
        name="petition_targets",
    ),
]
