"""Writes of source prevention: keyword-only services, each one transaction (design.md)."""

from xinfang.prevention.services.decisions import (
    assessment_work_add,
    decision_conclude,
    decision_link_add,
    decision_plan_set,
    decision_register,
    risk_point_add,
)
from xinfang.prevention.services.disputes import (
    PartyInput,
    dispute_close,
    dispute_record,
    dispute_step_add,
)
from xinfang.prevention.services.meetings import (
    agenda_decision_set,
    agenda_item_add,
    conference_record,
    conference_task_assign,
    task_entry_add,
)
from xinfang.prevention.services.policy import (
    policy_matter_create,
    policy_matter_link,
    policy_matter_respond,
)

__all__ = [
    "agenda_decision_set",
    "agenda_item_add",
    "conference_record",
    "conference_task_assign",
    "policy_matter_create",
    "policy_matter_link",
    "policy_matter_respond",
    "task_entry_add",
    "PartyInput",
    "assessment_work_add",
    "decision_conclude",
    "decision_link_add",
    "decision_plan_set",
    "decision_register",
    "dispute_close",
    "dispute_record",
    "dispute_step_add",
    "risk_point_add",
]
