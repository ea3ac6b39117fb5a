from django.urls import path

from xinfang.exchange import pages

app_name = "exchange"
urlpatterns = [
    path("keys/", pages.keys, name="keys"),
    path("keys/<int:key_id>/revoke/", pages.key_revoke, name="key_revoke"),
]
