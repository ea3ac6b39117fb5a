from django.urls import path

from xinfang.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:run_id>/", views.run_page, name="run"),
]
