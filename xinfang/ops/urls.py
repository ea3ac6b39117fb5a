from django.urls import path

from xinfang.ops import views

app_name = "ops"
urlpatterns = [
    path("live", views.live, name="live"),
    path("ready", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
]
