from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "xinfang.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from xinfang.ops import checks  # noqa: F401  (registers the deployment checks)
        from xinfang.petitions import extensions

        extensions.on_registered(_registrations_count)
        from xinfang.ops.archive_panel import archive_panel_context

        # "部分历史已归档": part of the petition's history is in a detached year (ADR 0019).
        extensions.panel_add(
            name="archive", template="ops/_archive_panel.html", context=archive_panel_context
        )


def _registrations_count(*, petitions) -> None:  # type: ignore[no-untyped-def]
    # imported here, in the process that serves, never in gunicorn's master (metrics.py)
    from xinfang.ops.metrics import registrations_count

    registrations_count(petitions=petitions)
