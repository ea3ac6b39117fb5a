from django.urls import path

from xinfang.analytics import rate_views, report_views, trend_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("rates/", rate_views.rates, name="rates"),
    path("rates/drill/", rate_views.drill, name="drill"),
    path("trends/", trend_views.trends, name="trends"),
    path("report/", report_views.report, name="report"),
    path("plotly.min.js", trend_views.plotly_js, name="plotly_js"),
]
