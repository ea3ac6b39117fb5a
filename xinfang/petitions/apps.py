from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        # A calendar change (an override, a confirmed notice) moves deadlines: deadlines asks,
        # petitions folds them again (and keeps its promises, ADR 0012).
        from xinfang.deadlines.services import on_calendar_change
        from xinfang.petitions.services.calendar import petitions_after_calendar_change

        on_calendar_change(petitions_after_calendar_change)
        # A petition, its events and deadlines are sealed in the audit chain (ADR 0014).
        from xinfang.audit.seals import sealer_register
        from xinfang.petitions.seal import SEALER

        sealer_register(SEALER)
        # The page's own lists that most petitions leave empty (petitions.extensions.presence_*)
        from django.db.models import OuterRef

        from xinfang.petitions import extensions
        from xinfang.petitions.models import Attachment, Petition

        extensions.presence_add(
            name="attachments",
            rows=lambda: Attachment.objects.filter(petition_id=OuterRef("pk")),
        )
        extensions.presence_add(
            name="repeats", rows=lambda: Petition.objects.filter(repeat_of_id=OuterRef("pk"))
        )
