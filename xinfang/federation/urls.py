from django.urls import path

from xinfang.federation import pages, views

app_name = "federation"
urlpatterns = [
    path("v1/messages", views.messages, name="messages"),
    path("peers/", pages.peers, name="peers"),
    path("peers/<int:peer_id>/disable/", pages.peer_disable, name="peer_disable"),
    path("peers/<int:peer_id>/enable/", pages.peer_enable, name="peer_enable"),
]
