from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "xinfang.prevention"
    label = "prevention"
    verbose_name = "源头预防"

    def ready(self) -> None:
        # The section "源头预防" of the staff petition page: the dispute a petition came from,
        # the major decision it is about, its policy matter (petitions.extensions, ADR 0010).
        from django.core import checks

        from xinfang.petitions import extensions
        from xinfang.prevention.guard import check_models
        from xinfang.prevention.panel import prevention_panel_context

        checks.register(check_models, "models")

        extensions.panel_add(
            name="prevention",
            template="prevention/_petition_panel.html",
            context=prevention_panel_context,
        )
        from django.db.models import OuterRef

        from xinfang.prevention.models import DecisionLink, Dispute, PolicyMatterPetition

        for name, model in (
            ("disputes", Dispute),
            ("decision_links", DecisionLink),
            ("policy", PolicyMatterPetition),
        ):
            extensions.presence_add(
                name=name, rows=lambda m=model: m.objects.filter(petition_id=OuterRef("pk"))
            )
