"""The transfer-chain policy in force, read from the settings (``XINFANG_TRANSFER_SHARES``,
``XINFANG_TRANSFER_SHARE_UNIT``; docs/settings.md). A malformed value stops the start with a
system check error instead of a 500 on the first transfer."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core import checks

from xinfang.deadlines.chain import ChainPolicy, parse_shares
from xinfang.deadlines.statutes import Unit


@lru_cache(maxsize=8)
def _policy(shares: str, unit: str) -> ChainPolicy:
    return ChainPolicy(shares=parse_shares(shares), unit=Unit(unit))


def chain_policy() -> ChainPolicy:
    """The per-level shares of the routing limit in force (T1a)."""
    return _policy(
        str(getattr(settings, "XINFANG_TRANSFER_SHARES", "")),
        str(getattr(settings, "XINFANG_TRANSFER_SHARE_UNIT", Unit.CALENDAR_DAYS.value)),
    )


def check_chain_policy(app_configs=None, **kwargs):  # type: ignore[no-untyped-def]
    try:
        chain_policy()
    except ValueError as e:
        return [
            checks.Error(
                f"XINFANG_TRANSFER_SHARES / XINFANG_TRANSFER_SHARE_UNIT: {e}",
                hint="level=days pairs, e.g. province=5,city=3,county=3,township=4; unit "
                "calendar_days or working_days (docs/settings.md)",
                id="xinfang.deadlines.E001",
            )
        ]
    return []
