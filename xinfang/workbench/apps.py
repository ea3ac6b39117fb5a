from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "xinfang.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self) -> None:
        # New petitions are queued for the search index in their registration's transaction.
        from xinfang.petitions import extensions
        from xinfang.workbench.indexer import search_queue_registered

        extensions.on_registered(search_queue_registered)
