"""The transfer chain of one petition, as the staff petition page shows it (the section
"转送链", registered in ``apps.py`` through ``petitions.extensions``): who sent what to whom and
when, each office's own share of the routing limit (T1 / T1a, Art. 22; ``deadlines.chain``),
on time or late, and the objections with their reasons (Art. 23 para 3).

Read from the petition's events and its stored deadlines (what the worklists showed); three
queries. Shown only to a user the petitions gate lets see the petition: an organ an accusation
names never reaches the page (Art. 30 para 3, Art. 46(5)), and the panel asks the gate again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from xinfang.core import clock
from xinfang.deadlines import holidays
from xinfang.deadlines.chain import Verdict, own_share_due, verdict
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.policy import chain_policy
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import petition_passed_gate
from xinfang.petitions.workflow import ACTION_LABELS, Action, State

# the chain's row for a take-back (issue 20): the sending office's step, never received there
TAKE_BACK_LABEL = gettext_noop("取回（对方未接收）")

_DISPATCH = (Action.TRANSFER, Action.ASSIGN, Action.REFER_LEGAL, Action.REFER_DISCIPLINE)
#: TAKE_BACK: an undelivered hand-over to another installation brought back (issue 20).
_CHAIN = (
    *_DISPATCH,
    Action.OBJECT,
    Action.OBJECTION_ACCEPT,
    Action.OBJECTION_REJECT,
    Action.TAKE_BACK,
)
_HOLD = ("T1", "T1a")
#: States before any routing step: a petition in them has never been sent anywhere.
_NEVER_MOVED = frozenset(
    {State.RECEIVED.value, State.REGISTERED.value}
)  # an office's routing limit: the round (T1) or its share (T1a)


@dataclass(frozen=True)
class Holding:
    """How long one office held the item and what it was allowed."""

    code: str  # T1 (the round's 15 days) or T1a (its share of them)
    since: date
    days: int | None  # the share's days (T1a) or None for T1's 15
    due: date  # the law's date: never past the round's end
    own_due: date  # its own share (= due for T1)
    verdict: Verdict


@dataclass(frozen=True)
class Hop:
    """One step of the chain."""

    kind: str  # dispatch | objection | objection_accept | objection_reject | take_back | holding
    on: date | None
    action_label: str
    from_organ: str
    to_organ: str
    level: str  # the level label of the sender (dispatch) or the holder
    reason: str = ""
    holding: Holding | None = None  # the sender's own limit (dispatch) or the holder's
    window_due: date | None = None  # objection: the 5-working-day window (T4)


def _organs(ids: set[int]) -> dict[int, Organ]:
    return {o.pk: o for o in Organ.objects.filter(pk__in=ids)} if ids else {}


def transfer_chain(*, petition: Petition, today: date | None = None) -> dict[str, Any] | None:
    """The chain of ``petition``; None when it never moved between organs. The events and
    deadlines the petition page read already (``petition_detail_for_user``) are used as they
    are; otherwise two queries."""
    chain = {a.value for a in _CHAIN}
    known = getattr(petition, "_xinfang_events", None)
    if known is not None:
        events = [e for e in known if e.action in chain]
    else:
        events = list(
            petition.events.filter(action__in=chain)
            .order_by("seq")
            # petition_id too: the related manager reads it of every row (a query each if deferred)
            .only(
                "seq",
                "action",
                "occurred_at",
                "organ_id",
                "actor_organ_id",
                "reason",
                "data",
                "petition_id",
            )
        )
    if not events:
        return None
    today = today or clock.today()
    codes = (*_HOLD, "T4")
    stored = getattr(petition, "_xinfang_deadlines", None)
    if stored is not None:  # ordered by start date and id, as the query below
        rows = [r for r in stored if r.code in codes]
    else:
        rows = list(
            Deadline.objects.filter(petition=petition, code__in=codes).order_by("start_date", "id")
        )
    ids: set[int] = {r.owner_organ_id for r in rows if r.owner_organ_id}
    for e in events:
        for key in ("from_organ_id", "to_organ_id", "returned_to_organ_id"):
            if isinstance(e.data.get(key), int):
                ids.add(e.data[key])
        ids.update(x for x in (e.organ_id, e.actor_organ_id) if x)
    organs = _organs(ids)
    policy = chain_policy()
    cal = holidays.calendar_in_force()
    roll = settings.XINFANG_ROLL_DEADLINE_TO_WORKING_DAY

    def name(pk: int | None) -> str:
        o = organs.get(pk) if pk else None
        return o.name if o else ""

    def level(pk: int | None) -> str:
        o = organs.get(pk) if pk else None
        return str(o.get_level_display()) if o else ""

    def holding(row: Deadline) -> Holding:
        own = row.due_date
        o = organs.get(row.owner_organ_id) if row.owner_organ_id else None
        if row.code == "T1a":
            share = own_share_due(
                received=row.start_date,
                level=o.level if o else None,
                policy=policy,
                cal=cal,
                roll_to_working_day=roll,
            )
            own = max(share, row.due_date) if share is not None else row.due_date
        done = row.closed_on if row.outcome == "met" else None
        days = policy.share(o.level if o else None) if row.code == "T1a" else None
        return Holding(
            code=row.code,
            since=row.start_date,
            days=days,
            due=row.due_date,
            own_due=own,
            verdict=verdict(due=row.due_date, own_due=own, done_on=done, today=today),
        )

    holds = [r for r in rows if r.code in _HOLD]
    windows = [r for r in rows if r.code == "T4"]

    def take(rows_: list[Deadline], owner: int | None, on: date) -> Deadline | None:
        for i, r in enumerate(rows_):
            if r.owner_organ_id == owner and r.closed_on == on and r.outcome == "met":
                return rows_.pop(i)
        return None

    hops: list[Hop] = []
    for e in events:
        on = clock.local_date(e.occurred_at)
        action = Action(e.action)
        label = ACTION_LABELS[action]
        if action in _DISPATCH:
            sender = e.data.get("from_organ_id")
            row = take(holds, sender, on)
            hops.append(
                Hop(
                    kind="dispatch",
                    on=on,
                    action_label=label,
                    from_organ=name(sender),
                    to_organ=name(e.data.get("to_organ_id")),
                    level=level(sender),
                    holding=holding(row) if row is not None else None,
                )
            )
        elif action == Action.OBJECT:
            window = take(windows, e.actor_organ_id, on)
            hops.append(
                Hop(
                    kind="objection",
                    on=on,
                    action_label=label,
                    from_organ=name(e.actor_organ_id),
                    to_organ=name(e.data.get("returned_to_organ_id") or e.organ_id),
                    level=level(e.actor_organ_id),
                    reason=e.reason,
                    window_due=window.due_date if window is not None else None,
                )
            )
        elif action == Action.TAKE_BACK:
            # the sending office's own step: the organ over there never received it (walker #14)
            back = e.data.get("returned_to_organ_id") or e.actor_organ_id
            hops.append(
                Hop(
                    kind="take_back",
                    on=on,
                    action_label=TAKE_BACK_LABEL,
                    from_organ=name(back),
                    to_organ="",
                    level=level(back),
                    reason=e.reason,
                )
            )
        else:
            hops.append(
                Hop(
                    kind=action.value,
                    on=on,
                    action_label=label,
                    from_organ=name(e.actor_organ_id),
                    to_organ=name(e.organ_id),
                    level=level(e.actor_organ_id),
                    reason=e.reason,
                )
            )
    for row in holds:  # the office holding the item now, if it still owes routing
        if row.outcome == "open":
            hops.append(
                Hop(
                    kind="holding",
                    on=None,
                    action_label="",
                    from_organ=name(row.owner_organ_id),
                    to_organ="",
                    level=level(row.owner_organ_id),
                    holding=holding(row),
                )
            )
    rounds = [r for r in rows if r.code == "T1"]
    taken_back = sum(1 for h in hops if h.kind == "take_back")
    first = rounds[0].start_date if rounds else clock.local_date(events[0].occurred_at)
    arrived = _arrived(events, organs)
    external = _to_external(events)
    upto = arrived or today
    return {
        "hops": hops,
        "first": first,
        "round_end": rounds[-1].due_date if rounds else None,
        "rounds": len(rounds),
        # new routing rounds: objections returned by the receiver vs the sender's take-backs
        "objections": max(len(rounds) - 1 - taken_back, 0),
        "taken_back": taken_back,
        "elapsed": (upto - first).days,
        "arrived": arrived,
        "external": external,
        "late": any(h.holding is not None and h.holding.verdict.late for h in hops),
        "policy": policy,
    }


def _to_external(events: list) -> bool:  # type: ignore[type-arg]
    """Whether the item's latest dispatch handed it to another installation (issue 20) and
    was not taken back since."""
    last = [e for e in events if e.action in _DISPATCH or e.action == Action.TAKE_BACK]
    return bool(last) and bool(last[-1].data.get("to_external"))  # a take-back has none


def _arrived(events: list, organs: dict[int, Organ]) -> date | None:  # type: ignore[type-arg]
    """The day the item last reached an organ that is no petition office (the end of the
    chain), unless it came back since. A transfer to another installation reaches its organ
    only when the message is delivered, which this chain does not know: never "arrived" here
    (the section 跨系统转送 says whether it was delivered; walker finding 1)."""
    arrived: date | None = None
    objected: date | None = None  # the arrival an objection put in question
    for e in events:
        if e.action in _DISPATCH:
            to = organs.get(e.data.get("to_organ_id"))
            at_organ = (
                to is not None
                and to.kind != OrganKind.PETITION_OFFICE
                and not e.data.get("to_external")
            )
            arrived = clock.local_date(e.occurred_at) if at_organ else None
        elif e.action == Action.OBJECT:
            arrived, objected = None, arrived
        elif e.action == Action.OBJECTION_REJECT:
            arrived = objected  # the item stays where it arrived (Art. 23 para 3)
        elif e.action == Action.TAKE_BACK:
            arrived = None  # back with the office that sent it (issue 20)
    return arrived


def chain_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    """The section "转送链" of the staff petition page, for a user the gate lets see it."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if petition.state in _NEVER_MOVED:
        return None  # nothing to show, and no query for it
    if not petition_passed_gate(petition=petition, user=user):
        return None  # the page's gate already refused; never a second way in (Art. 30 para 3)
    return transfer_chain(petition=petition)
