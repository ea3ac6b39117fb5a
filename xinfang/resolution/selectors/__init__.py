"""Reads of resolution and oversight, each through the access scope (``access.py``)."""

from xinfang.resolution.selectors.backlog import (
    backlog_counts_for_user,
    backlog_get_for_user,
    backlog_list_for_user,
    backlog_petition_for_user,
)
from xinfang.resolution.selectors.hearing import (
    hearing_clock,
    hearing_get_for_user,
    hearing_list_for_user,
)
from xinfang.resolution.selectors.relief import (
    fund_get_for_user,
    fund_ledger,
    fund_ledger_page,
    fund_list_for_user,
    funds_for_applicant,
    relief_get_for_user,
    relief_list_for_user,
)
from xinfang.resolution.selectors.suggestion import (
    PublicSuggestion,
    mediation_get_for_user,
    mediation_list_for_user,
    suggestion_decision_url,
    suggestion_get_for_user,
    suggestion_list_for_user,
    suggestion_public_list,
)
from xinfang.resolution.selectors.supervision import (
    escalation_list_for_user,
    notice_get_for_user,
    notice_list_for_user,
    notice_petitions_for_user,
)

__all__ = [
    "PublicSuggestion",
    "mediation_get_for_user",
    "mediation_list_for_user",
    "suggestion_decision_url",
    "suggestion_get_for_user",
    "suggestion_list_for_user",
    "suggestion_public_list",
    "fund_get_for_user",
    "fund_ledger",
    "fund_ledger_page",
    "fund_list_for_user",
    "funds_for_applicant",
    "relief_get_for_user",
    "relief_list_for_user",
    "backlog_counts_for_user",
    "backlog_get_for_user",
    "backlog_list_for_user",
    "backlog_petition_for_user",
    "escalation_list_for_user",
    "hearing_clock",
    "hearing_get_for_user",
    "hearing_list_for_user",
    "notice_get_for_user",
    "notice_list_for_user",
    "notice_petitions_for_user",
]
