from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "xinfang.insight"
    label = "insight"
    verbose_name = "文本分析"

    def ready(self) -> None:
        # The section "可能是同一事项" of the staff petition page (petitions.extensions).
        from xinfang.insight.hot import hooks
        from xinfang.insight.matters.views import matters_page_context
        from xinfang.petitions import extensions

        extensions.on_accused(hooks.petition_accused)  # snapshots that may hold it (Art. 30)
        extensions.on_acted(hooks.petition_acted)
        extensions.panel_add(
            name="matters", template="insight/matters_section.html", context=matters_page_context
        )
        from django.db.models import OuterRef

        from xinfang.insight.models import MatterLink

        extensions.presence_add(  # linked into a matter now
            name="matter_link",
            rows=lambda: MatterLink.objects.filter(
                petition_id=OuterRef("pk"), unlinked_at__isnull=True
            ),
        )
