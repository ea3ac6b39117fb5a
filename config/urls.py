from django.contrib import admin
from django.urls import include, path

from xinfang.api.api import api

handler400 = "xinfang.core.boundary.bad_request"  # JSON under /api/, a page elsewhere
handler500 = "xinfang.core.boundary.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("account/", include("xinfang.directory.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("xinfang.web.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("analytics/", include("xinfang.analytics.urls")),
    path("insight/", include("xinfang.insight.urls_matters")),
    path("portal/", include("xinfang.portal.urls")),
    path("-/", include("xinfang.ops.urls")),  # health and metrics (xinfang.ops.views)
    path("calendar/", include("xinfang.deadlines.urls")),
    path("prevention/", include("xinfang.prevention.urls")),
    path("reception/book/", include("xinfang.reception.urls_book")),
    path("reception/", include("xinfang.reception.urls")),
    path("resolution/", include("xinfang.resolution.urls")),
    path("routing/", include("xinfang.routing.urls")),
    path("imports/", include("xinfang.imports.urls")),
    # Signed messages from other installations (docs/federation.md).
    path("federation/", include("xinfang.federation.urls")),
    path("open311/", include("xinfang.exchange.urls")),  # GeoReport v2 (exchange/open311)
    path("exchange/", include("xinfang.exchange.staff_urls")),  # Open311 keys (administrators)
]
