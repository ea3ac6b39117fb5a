from django.urls import path

from xinfang.analytics import export_views, rate_views, report_views, trend_views, views

app_name = "analytics"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("rates/", rate_views.rates, name="rates"),
    path("rates/drill/", rate_views.drill, name="drill"),
    path("rates/due/", rate_views.due, name="due"),
    path("rates/drill/export/", export_views.drill_export_new, name="drill_export"),
    path("exports/new/", export_views.export_new, name="export_new"),
    path("exports/<int:export_id>/", export_views.export_page, name="export"),
    path("exports/<int:export_id>/file", export_views.export_file, name="export_file"),
    path("trends/", trend_views.trends, name="trends"),
    path("report/", report_views.report, name="report"),
    path("plotly.min.js", trend_views.plotly_js, name="plotly_js"),
]
