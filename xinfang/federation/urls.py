from django.urls import path

from xinfang.federation import views

app_name = "federation"
urlpatterns = [
    path("v1/messages", views.messages, name="messages"),
]
