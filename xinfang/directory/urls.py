from django.urls import path

from xinfang.directory import approvals_views, otp

app_name = "account"
urlpatterns = [
    path("otp/", otp.otp_verify, name="otp_verify"),
    path("otp/setup/", otp.otp_setup, name="otp_setup"),
    path("approvals/", approvals_views.approvals, name="approvals"),
    path(
        "approvals/<int:request_id>/<str:decision>/",
        approvals_views.approval_decide,
        name="approval_decide",
    ),
]
