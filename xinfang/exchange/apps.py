from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "xinfang.exchange"
    label = "exchange"
    verbose_name = "数据交换（Open311、12345 热线）"

    def ready(self) -> None:
        from xinfang.core.boundary import error_answer_add
        from xinfang.exchange.open311.views import boundary_answer

        # The boundary's refusals under /open311/ are GeoReport v2's error list (issue 20).
        error_answer_add(prefix="/open311/", answer=boundary_answer)
