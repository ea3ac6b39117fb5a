from django.urls import path

from xinfang.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.summary, name="summary"),
]
