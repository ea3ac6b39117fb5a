from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo generator as an app only so that ``manage.py seed_demo`` is found; no models."""

    name = "xinfang.demo"
    label = "demo"
    verbose_name = "演示数据"
