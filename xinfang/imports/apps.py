from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "xinfang.imports"
    label = "imports"
    verbose_name = "历史数据导入"
    default_auto_field = "django.db.models.BigAutoField"
