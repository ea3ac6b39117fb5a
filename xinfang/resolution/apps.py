from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "xinfang.resolution"
    label = "resolution"
    verbose_name = "化解与督办"

    def ready(self) -> None:
        # Backlog, hearing and relief records on the staff petition page's timeline, as a
        # merged read-only feed (ADR 0010; resolution/timeline.py); suggestions (Art. 29) and
        # mediations (Art. 33) from resolution/suggestion_timeline.py.
        from xinfang.petitions import extensions
        from xinfang.resolution.suggestion_timeline import suggestion_mediation_timeline
        from xinfang.resolution.timeline import resolution_timeline

        extensions.timeline_add(name="resolution", items=resolution_timeline)
        extensions.timeline_add(name="suggestions", items=suggestion_mediation_timeline)
        from xinfang.resolution.hooks import settle_only_through_its_mediation

        extensions.on_acted(settle_only_through_its_mediation)
