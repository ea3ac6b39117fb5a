"""Source prevention pages, under /prevention/."""

from django.urls import path

from xinfang.prevention.views import decisions, disputes, exports, meetings, policy

app_name = "prevention"
urlpatterns = [
    # the dispute screening ledger
    path("disputes/", disputes.ledger, name="ledger"),
    path("disputes/new/", disputes.dispute_new, name="dispute_new"),
    path("disputes/ledger.xlsx", disputes.ledger_xlsx, name="ledger_xlsx"),
    path("disputes/exports/", exports.ledger_export_new, name="ledger_export_new"),
    path("disputes/exports/<int:export_id>/", exports.ledger_export_page, name="ledger_export"),
    path(
        "disputes/exports/<int:export_id>/file",
        exports.ledger_export_file,
        name="ledger_export_file",
    ),
    path("disputes/report/", disputes.report, name="report"),
    path("disputes/<int:dispute_id>/", disputes.dispute_page, name="dispute"),
    path("disputes/<int:dispute_id>/steps/", disputes.dispute_step, name="dispute_step"),
    path("disputes/<int:dispute_id>/outcome/", disputes.dispute_outcome, name="dispute_outcome"),
    # the risk assessment of major decisions
    path("decisions/", decisions.decision_list, name="decisions"),
    path("decisions/new/", decisions.decision_new, name="decision_new"),
    path("decisions/<int:decision_id>/", decisions.decision_page, name="decision"),
    path(
        "decisions/<int:decision_id>/report.docx",
        decisions.decision_report,
        name="decision_docx",
    ),
    path(
        "decisions/<int:decision_id>/<str:form>/",
        decisions.decision_post,
        name="decision_post",
    ),
    # the joint conference
    path("conferences/", meetings.conference_list, name="conferences"),
    path("conferences/new/", meetings.conference_new, name="conference_new"),
    path("conferences/<int:conference_id>/", meetings.conference_page, name="conference"),
    path(
        "conferences/<int:conference_id>/minutes.docx",
        meetings.conference_minutes,
        name="conference_docx",
    ),
    path(
        "conferences/<int:conference_id>/<str:form>/",
        meetings.conference_post,
        name="conference_post",
    ),
    # policy matters
    path("policy/", policy.policy_list, name="policies"),
    path("policy/new/", policy.policy_new, name="policy_new"),
    path("policy/<int:matter_id>/", policy.policy_page, name="policy"),
    path("policy/<int:matter_id>/<str:form>/", policy.policy_post, name="policy_post"),
]
