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
    dispute_get_for_user,
    dispute_ledger,
    dispute_monthly_report,
    disputes_for_user,
    party_name_for,
)

__all__ = [
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
