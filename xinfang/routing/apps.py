from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    label = "routing"
    verbose_name = "分流规则"

    def ready(self) -> None:
        # The section "转送链" of the staff petition page (petitions.extensions, ADR 0010).
        from xinfang.petitions import extensions
        from xinfang.routing.chain import chain_panel_context

        extensions.panel_add(
            name="chain", template="routing/_chain_panel.html", context=chain_panel_context
        )
