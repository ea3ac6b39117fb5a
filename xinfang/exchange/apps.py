from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "xinfang.exchange"
    label = "exchange"
    verbose_name = "数据交换（Open311、12345 热线）"
