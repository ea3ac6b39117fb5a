from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    label = "routing"
    verbose_name = "分流规则"
