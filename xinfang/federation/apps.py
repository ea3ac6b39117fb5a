from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "xinfang.federation"
    label = "federation"
    verbose_name = "跨系统转送"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from xinfang.core.boundary import field_labels_add
        from xinfang.federation import hooks

        # The refusal page names the peer form's fields by their labels (walker report item 2).
        field_labels_add(
            prefix="/federation/peers/",
            labels={
                "name": gettext_lazy("名称"),
                "url": gettext_lazy("接收地址"),
                "public_key": gettext_lazy("对方公钥"),
                "reason": gettext_lazy("理由"),
            },
        )
        from xinfang.petitions import extensions

        extensions.on_acted(hooks.petition_acted)
        from xinfang.federation.selectors import remote_organs_served_q

        # The organ picker and the step's check offer an external organ only while an active
        # peer serves it (issue 20).
        extensions.external_served(remote_organs_served_q)
        from xinfang.federation.selectors import handover_undelivered

        # ``take_back`` is offered while the hand-over is not acknowledged over there (issue 20).
        extensions.handover_undelivered(handover_undelivered)
        from xinfang.federation.panel import federation_panel_context

        # The section "跨系统转送" of the staff petition page (ADR 0010).
        extensions.panel_add(
            name="federation", template="federation/_panel.html", context=federation_panel_context
        )
        from django.db.models import OuterRef

        from xinfang.federation.models import Link

        extensions.presence_add(
            name="federation", rows=lambda: Link.objects.filter(petition_id=OuterRef("pk"))
        )
