from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    label = "reception"
    verbose_name = "接访"

    def ready(self) -> None:
        # The reception records on the staff petition page and its timeline (ADR 0010).
        from xinfang.petitions import extensions
        from xinfang.reception.panel import reception_panel_context, reception_timeline

        extensions.panel_add(
            name="reception",
            template="reception/_petition_panel.html",
            context=reception_panel_context,
        )
        extensions.timeline_add(name="reception", items=reception_timeline)
        from django.db.models import OuterRef

        from xinfang.reception.models import ReceptionRecord

        extensions.presence_add(
            name="reception",
            rows=lambda: ReceptionRecord.objects.filter(petition_id=OuterRef("pk")),
        )
