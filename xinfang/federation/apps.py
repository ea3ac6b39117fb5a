from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "xinfang.federation"
    label = "federation"
    verbose_name = "跨系统转送"

    def ready(self) -> None:
        from xinfang.federation import hooks
        from xinfang.petitions import extensions

        extensions.on_acted(hooks.petition_acted)
