from django.urls import path, re_path

from xinfang.exchange.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery_v2"),
    re_path(r"^v2/services" + FMT, views.services, name="services"),
    re_path(
        r"^v2/services/(?P<service_code>[^/]{1,60})" + FMT, views.service_definition, name="service"
    ),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[^/]{1,60})" + FMT, views.request_one, name="request"
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,100})" + FMT, views.token, name="token"),
    path("<path:rest>", views.not_found),
    path("", views.not_found),
]
