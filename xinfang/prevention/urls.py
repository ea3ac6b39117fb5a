"""Source prevention pages, under /prevention/."""

from django.urls import path

from xinfang.prevention.views import disputes

app_name = "prevention"
urlpatterns = [
    path("disputes/", disputes.ledger, name="ledger"),
    path("disputes/new/", disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", disputes.dispute_page, name="dispute"),
    path("disputes/<int:dispute_id>/steps/", disputes.dispute_step, name="dispute_step"),
    path("disputes/<int:dispute_id>/outcome/", disputes.dispute_outcome, name="dispute_outcome"),
]
urlpatterns += [
    path("disputes/ledger.xlsx", disputes.ledger_xlsx, name="ledger_xlsx"),
    path("disputes/report/", disputes.report, name="report"),
]
