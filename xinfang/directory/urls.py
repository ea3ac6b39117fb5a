from django.urls import path

from xinfang.directory import otp

app_name = "account"
urlpatterns = [
    path("otp/", otp.otp_verify, name="otp_verify"),
    path("otp/setup/", otp.otp_setup, name="otp_setup"),
]
