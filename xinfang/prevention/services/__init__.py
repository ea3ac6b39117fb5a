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

__all__ = [
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
