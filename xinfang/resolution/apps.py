from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "xinfang.resolution"
    label = "resolution"
    verbose_name = "化解与督办"

    def ready(self) -> None:
        # Backlog, hearing and relief records on the staff petition page's timeline, as a
        # merged read-only feed (ADR 0010; resolution/timeline.py); suggestions (Art. 29) and
        # mediations (Art. 33) from resolution/suggestion_timeline.py.
        from django.utils.translation import gettext_lazy

        from xinfang.core.boundary import field_labels_add
        from xinfang.petitions import extensions
        from xinfang.resolution.suggestion_timeline import suggestion_mediation_timeline
        from xinfang.resolution.timeline import resolution_timeline

        extensions.timeline_add(name="resolution", items=resolution_timeline)
        # The refusal page names a suggestion's fields by their labels (walker report item 11).
        field_labels_add(
            prefix="/resolution/suggestions/",
            labels={
                "reply_summary": gettext_lazy("答复摘要"),
                "reply": gettext_lazy("答复意见"),
                "subject": gettext_lazy("建议主题"),
                "study": gettext_lazy("研究论证情况"),
                "description": gettext_lazy("表彰奖励内容和理由"),
                "credit_name": gettext_lazy("公开的署名"),
            },
        )
        extensions.timeline_add(name="suggestions", items=suggestion_mediation_timeline)
        from django.db.models import OuterRef

        from xinfang.resolution.models import (
            BacklogCase,
            Hearing,
            Mediation,
            ReliefApplication,
            Suggestion,
        )

        for name, model in (
            ("backlog", BacklogCase),
            ("hearings", Hearing),
            ("relief", ReliefApplication),
            ("suggestions", Suggestion),
            ("mediations", Mediation),
        ):
            extensions.presence_add(
                name=name, rows=lambda m=model: m.objects.filter(petition_id=OuterRef("pk"))
            )
        from xinfang.resolution.hooks import (
            reply_to_a_suggestion_only_through_its_decision,
            settle_only_through_its_mediation,
        )

        extensions.on_acted(settle_only_through_its_mediation)
        extensions.on_acted(reply_to_a_suggestion_only_through_its_decision)
