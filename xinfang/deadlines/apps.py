from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xinfang.deadlines"
    label = "deadlines"
    verbose_name = "办理期限"

    def ready(self) -> None:
        from django.core import checks

        from xinfang.deadlines.policy import check_chain_policy

        checks.register(check_chain_policy)
