from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        # A holiday override moves open deadlines: deadlines asks, petitions recomputes them.
        from xinfang.deadlines.services import on_calendar_change
        from xinfang.petitions.services.deadlines import deadline_recompute_open

        on_calendar_change(deadline_recompute_open)
