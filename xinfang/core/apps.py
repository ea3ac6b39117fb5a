from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
