"""A petition's documents, read from its event log: the list, and one document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import NotFound
from xinfang.documents.selectors.kinds import ACTION_KIND, Document, Parties
from xinfang.documents.selectors.texts import _build, _Context


def document_list(
    *,
    petition,
    events: Sequence | None = None,
    parties: Parties | None = None,  # type: ignore[no-untyped-def,type-arg]
    names_hidden: bool = False,
) -> list[Document]:
    """Every document addressed to the petitioner, oldest first.

    ``parties`` are the (role, name) pairs as the reader may see them (staff may see names
    masked, petitions.privacy); by default the names as stored (the petitioner's own view).
    ``names_hidden``: the reader sees the names masked, so the names the documents' own text
    carries (an agreement's signatures and terms) are masked too."""
    events = _events(petition, events)
    ctx = _Context(petition, events, parties, names_hidden)
    withdrawn = handovers_withdrawn(events)
    return [
        _marked(_build(ctx, i), withdrawn) for i, e in enumerate(events) if e.action in ACTION_KIND
    ]


def document_get(
    *,
    petition,
    seq: int,
    events: Sequence | None = None,
    parties: Parties | None = None,  # type: ignore[no-untyped-def,type-arg]
    names_hidden: bool = False,
) -> Document:
    events = _events(petition, events)
    for i, e in enumerate(events):
        if e.seq == seq and e.action in ACTION_KIND:
            doc = _build(_Context(petition, events, parties, names_hidden), i)
            return _marked(doc, handovers_withdrawn(events))
    raise NotFound(gettext("未找到该文书"))


def handovers_withdrawn(events: Sequence) -> dict[int, date]:  # type: ignore[type-arg]
    """The hand-overs to another installation taken back before they arrived (``take_back``,
    issue 20): the seq of each one's event (its 转送告知书 carries it) -> the day it was taken
    back. A take-back withdraws the latest hand-over before it (ADR 0023)."""
    out: dict[int, date] = {}
    handed: int | None = None
    for e in events:
        if e.action in ("transfer", "assign") and (e.data or {}).get("to_external"):
            handed = e.seq
        elif e.action == "take_back" and handed is not None:
            out[handed] = clock.local_date(e.occurred_at)
            handed = None
    return out


def _marked(doc: Document, withdrawn: dict[int, date]) -> Document:
    on = withdrawn.get(doc.seq)
    return doc if on is None else replace(doc, withdrawn_on=on)


def _events(petition, events: Sequence | None) -> list:  # type: ignore[no-untyped-def,type-arg]
    if events is not None:
        return list(events)
    return list(petition.events.select_related("organ", "actor_organ").order_by("seq"))
