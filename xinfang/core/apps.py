from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from xinfang.core.columns import guard_columns

        # Every save of every model: no value its column cannot hold (xinfang.core.columns).
        pre_save.connect(guard_columns, dispatch_uid="xinfang.core.columns")
