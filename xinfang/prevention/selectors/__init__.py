"""Reads of source prevention: each filtered for the user (prevention/access.py)."""

from xinfang.prevention.selectors.decisions import (
    Assessment,
    RiskRow,
    decision_assessment,
    decision_get_for_user,
    decisions_for_user,
)
from xinfang.prevention.selectors.disputes import (
    PAGE_SIZE,
    Ledger,
    LedgerFilter,
    MonthlyReport,
    OrganRow,
    counts_for_user,
    dispute_count,
    dispute_get_for_user,
    dispute_ledger,
    dispute_monthly_report,
    disputes_for_user,
    ledger_export_get_for_user,
    party_name_for,
)
from xinfang.prevention.selectors.meetings import (
    conference_get_for_user,
    conferences_for_user,
    tasks_for_organ,
)
from xinfang.prevention.selectors.policy import (
    LinkedPetition,
    policy_hot_suggestions,
    policy_matter_get_for_user,
    policy_matter_petitions,
    policy_matter_suggestions,
    policy_matters_for_user,
)

__all__ = [
    "counts_for_user",
    "dispute_count",
    "ledger_export_get_for_user",
    "LinkedPetition",
    "conference_get_for_user",
    "conferences_for_user",
    "policy_matter_get_for_user",
    "policy_matter_petitions",
    "policy_hot_suggestions",
    "policy_matter_suggestions",
    "policy_matters_for_user",
    "tasks_for_organ",
    "Assessment",
    "RiskRow",
    "decision_assessment",
    "decision_get_for_user",
    "decisions_for_user",
    "PAGE_SIZE",
    "Ledger",
    "LedgerFilter",
    "OrganRow",
    "MonthlyReport",
    "dispute_get_for_user",
    "dispute_ledger",
    "dispute_monthly_report",
    "disputes_for_user",
    "party_name_for",
]
