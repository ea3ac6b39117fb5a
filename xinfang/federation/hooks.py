"""Hooks registered into petitions (``extensions.on_acted``): see ``services.outbox``."""

from __future__ import annotations

from typing import Any


def petition_acted(*, petition: Any, event: Any, before: Any) -> None:
    from xinfang.federation.services.outbox import outbox_on_step

    outbox_on_step(petition=petition, event=event)
