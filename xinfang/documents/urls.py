from django.urls import path

from xinfang.documents import views

app_name = "documents"
urlpatterns = [
    path("petitions/<int:petition_id>/", views.document_index, name="index"),
    path("petitions/<int:petition_id>/<int:seq>/", views.document_page, name="html"),
    path("petitions/<int:petition_id>/<int:seq>.docx", views.document_docx_view, name="docx"),
]
