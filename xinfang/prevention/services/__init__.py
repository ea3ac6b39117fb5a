"""Writes of source prevention: keyword-only services, each one transaction (design.md)."""

from xinfang.prevention.services.disputes import (
    PartyInput,
    dispute_close,
    dispute_record,
    dispute_step_add,
)

__all__ = ["PartyInput", "dispute_close", "dispute_record", "dispute_step_add"]
