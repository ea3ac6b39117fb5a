from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "xinfang.directory"
    label = "directory"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from xinfang.directory.otp import otp_required_on_login

        user_logged_in.connect(otp_required_on_login, dispatch_uid="xinfang.directory.otp")
