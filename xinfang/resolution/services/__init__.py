"""Writes of resolution and oversight: keyword-only services, each one transaction."""

from xinfang.resolution.services.backlog import (
    backlog_close,
    backlog_decide,
    backlog_milestone_add,
    backlog_milestone_done,
    backlog_plan,
    backlog_progress_add,
    backlog_propose_due,
)
from xinfang.resolution.services.escalation import escalate
from xinfang.resolution.services.hearing import (
    hearing_cancel,
    hearing_close,
    hearing_open,
    hearing_publish,
    hearing_schedule,
)
from xinfang.resolution.services.mediation import mediation_record, mediation_sign
from xinfang.resolution.services.relief import (
    amount_parse,
    relief_apply,
    relief_decide,
    relief_fund_allocate,
    relief_pay,
)
from xinfang.resolution.services.suggestion import (
    suggestion_decide,
    suggestion_open,
    suggestion_recognise,
    suggestion_withdraw_public,
)
from xinfang.resolution.services.supervision import supervision_issue, supervision_reply

__all__ = [
    "mediation_record",
    "mediation_sign",
    "suggestion_decide",
    "suggestion_open",
    "suggestion_recognise",
    "suggestion_withdraw_public",
    "amount_parse",
    "relief_apply",
    "relief_decide",
    "relief_fund_allocate",
    "relief_pay",
    "backlog_close",
    "backlog_decide",
    "backlog_milestone_add",
    "backlog_milestone_done",
    "backlog_plan",
    "backlog_progress_add",
    "backlog_propose_due",
    "escalate",
    "hearing_cancel",
    "hearing_close",
    "hearing_open",
    "hearing_publish",
    "hearing_schedule",
    "supervision_issue",
    "supervision_reply",
]
