from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xinfang.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self) -> None:
        # A step that issues a document gives it its 文号 in the step's transaction.
        from xinfang.documents.services import document_number_on_act
        from xinfang.petitions import extensions

        extensions.on_acted(document_number_on_act)
