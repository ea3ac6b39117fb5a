from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "xinfang.insight"
    label = "insight"
    verbose_name = "文本分析"
