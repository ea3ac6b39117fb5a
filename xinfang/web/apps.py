from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinfang.web"
    label = "web"

    def ready(self) -> None:
        # The staff petition page, for an app's panel form that must show it again with errors.
        from xinfang.petitions import extensions
        from xinfang.web.views import petition_detail

        extensions.petition_page_set(petition_detail)
        # Where the drafts of the decisions the head signs stand (issue 12, item 7).
        from xinfang.web.editor import draft_timeline_items

        extensions.timeline_add(name="drafts", items=draft_timeline_items)
        from django.db.models import OuterRef

        from xinfang.documents.models import Draft

        extensions.presence_add(
            name="drafts", rows=lambda: Draft.objects.filter(petition_id=OuterRef("pk"))
        )
