from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "xinfang.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from xinfang.ops import checks  # noqa: F401  (registers the deployment checks)
