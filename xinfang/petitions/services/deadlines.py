"""A petition's deadlines: the projection of its events onto the time limits (T1–T10), folded
by the pure ``deadlines.tracker`` and stored as ``deadlines.Deadline`` rows, in the caller's
transaction. Here, not in ``deadlines``, because it reads petitions (``deadlines`` sits below
``petitions``); ``deadlines.services`` asks for a recomputation through ``on_calendar_change``.

When the working calendar changes (a confirmed State Council notice, an override), the deadlines
it can move are folded again (:func:`deadline_recompute_after_calendar_change`) and three
promises are kept (ADR 0012):

* a petitioner's window (T7, T9) is never shortened: when the new calendar would end it earlier,
  the due date the petitioner was shown is kept (``deadlines.KeptDueDate``, a floor of the fold);
* an organ is not put in the wrong by the move: a duty or objection window that the new calendar
  would make overdue at once, or met late, keeps the due date in force before;
* a window recorded as lapsed on a day the new calendar shows was still within it is reported
  as ``reopened``; ``services.calendar`` takes the legal step that reopens it.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from xinfang.core import clock
from xinfang.deadlines import holidays
from xinfang.deadlines.models import Deadline, KeptDueDate
from xinfang.deadlines.policy import chain_policy
from xinfang.deadlines.services import DeadlineMove
from xinfang.deadlines.statutes import STATUTES, Owner
from xinfang.deadlines.tracker import (
    LAPSED,
    MET,
    OPEN,
    DeadlineFact,
    EventFact,
    Facts,
    next_due,
    track,
)
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.petitions import extensions
from xinfang.petitions.seal import petition_seal
from xinfang.petitions.workflow import Category, Route

Kept = dict[tuple[str, date], date]


def petition_facts(petition) -> Facts:  # type: ignore[no-untyped-def]
    return Facts(
        received_at_petition_office=petition.registering_organ.kind == OrganKind.PETITION_OFFICE,
        anonymous=petition.is_anonymous,
        route6=petition.category == Category.APPEAL and petition.route == Route.PETITION,
    )


def event_facts(events: Iterable) -> list[EventFact]:  # type: ignore[type-arg]
    events = list(events)
    levels = _levels_missing(events)
    out = []
    for e in events:
        data = dict(e.data or {})
        for key in ("report_due",):
            if isinstance(data.get(key), str):
                data[key] = date.fromisoformat(data[key])
        if data.get("to_petition_office") and not data.get("to_level"):
            data["to_level"] = levels.get(e.organ_id)
        out.append(EventFact(e.action, clock.local_date(e.occurred_at), e.organ_id, data))
    return out


def _levels_missing(events: list) -> dict[int, str]:  # type: ignore[type-arg]
    """The level of each office a transfer went to before events named it (``to_level`` is
    written with every transfer since the chain shares, issue 20): one query, old events only."""
    ids = {
        e.organ_id
        for e in events
        if (e.data or {}).get("to_petition_office") and not (e.data or {}).get("to_level")
    }
    if not ids:
        return {}
    return dict(Organ.objects.filter(pk__in=ids).values_list("pk", "level"))


def deadline_facts(petition, events: Sequence, *, kept: Kept | None = None) -> list[DeadlineFact]:  # type: ignore[no-untyped-def,type-arg]
    """The petition's deadlines over the calendar in force; ``kept`` due dates are floors."""
    return track(
        event_facts(events),
        petition_facts(petition),
        holidays.calendar_in_force(),
        roll_to_working_day=settings.XINFANG_ROLL_DEADLINE_TO_WORKING_DAY,
        kept=kept,
        chain=chain_policy(),
        hearing_days_inclusive=settings.XINFANG_HEARING_DAYS_INCLUSIVE,
        take_back_round=settings.XINFANG_TAKE_BACK_ROUND,
        take_back_min_days=settings.XINFANG_TAKE_BACK_MIN_DAYS,
    )


def deadline_rows(petition, facts: Sequence[DeadlineFact]) -> list[Deadline]:  # type: ignore[no-untyped-def]
    return [
        Deadline(
            petition=petition,
            code=f.code,
            owner_organ_id=f.owner_organ_id,
            start_date=f.start,
            due_date=f.due,
            outcome=f.outcome,
            closed_on=f.closed_on,
            extension_days=f.extension_days,
            paused_days=f.paused_days,
            paused=f.paused_since is not None,
            provisional=f.provisional,
        )
        for f in facts
    ]


def _kept_of(petition_ids: Iterable[int]) -> dict[int, Kept]:
    out: dict[int, Kept] = defaultdict(dict)
    rows = KeptDueDate.objects.filter(petition_id__in=list(petition_ids))
    for pid, code, start, due in rows.values_list("petition_id", "code", "start_date", "due_date"):
        out[pid][(code, start)] = due
    return out


_FIELDS = [
    "owner_organ_id",
    "due_date",
    "outcome",
    "closed_on",
    "extension_days",
    "paused_days",
    "paused",
    "provisional",
]


def _keyed(rows: Iterable[Deadline]) -> dict[tuple[int, str, date, int], Deadline]:
    """Rows by the duty they stand for: (petition, limit, start, n-th of that limit and start)."""
    seen: Counter[tuple[int, str, date]] = Counter()
    out = {}
    for r in rows:
        k = (r.petition_id, r.code, r.start_date)
        out[(*k, seen[k])] = r
        seen[k] += 1
    return out


def deadline_store(petition_ids: Sequence[int], rows: Sequence[Deadline]) -> None:
    """Store a new fold of the petitions' deadlines, keeping each row's identity while the fold
    still has the same duty (petition, limit, start, n-th of those): the row is updated in place,
    so what hangs on it (the escalation ladder's records, ``resolution.Escalation``: warnings,
    reports to the head and to the office above) survives every step. Only a duty the fold no
    longer has at all is deleted; a duty met, voided or lapsed is still in the fold (history)."""
    old = _keyed(Deadline.objects.filter(petition_id__in=list(petition_ids)).order_by("id"))
    new = _keyed(rows)
    changed = []
    for key, row in new.items():
        was = old.pop(key, None)
        if was is None:
            continue
        row.pk = was.pk
        if any(getattr(was, f) != getattr(row, f) for f in _FIELDS):
            changed.append(row)
    if old:
        Deadline.objects.filter(pk__in=[r.pk for r in old.values()]).delete()
    if changed:
        Deadline.objects.bulk_update(changed, _FIELDS, batch_size=500)
    Deadline.objects.bulk_create([r for r in new.values() if r.pk is None])


def deadline_recompute(*, petition, events: Sequence | None = None) -> list[DeadlineFact]:  # type: ignore[no-untyped-def,type-arg]
    """Fold the petition's events into its deadlines and store them (inside the caller's
    transaction), each row kept in place while its duty is (:func:`deadline_store`)."""
    if events is None:
        events = list(petition.events.order_by("seq"))
    facts = deadline_facts(petition, events, kept=_kept_of([petition.pk]).get(petition.pk))
    deadline_store([petition.pk], deadline_rows(petition, facts))
    petition.next_due = next_due(facts, petition.current_organ_id)
    return facts


def deadline_recompute_open(*, since: date | None = None, batch: int = 500) -> int:
    """Recompute every petition that has an open deadline started on or before ``since``."""
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services.worklist_tally import worklist_tally_move

    qs = Deadline.objects.filter(outcome="open")
    if since is not None:
        qs = qs.filter(start_date__lte=since)
    ids = sorted(set(qs.values_list("petition_id", flat=True)))
    done = 0
    for i in range(0, len(ids), batch):
        for pid in ids[i : i + batch]:
            with transaction.atomic():  # the rows, the petition's next due date and its seal
                # Locked and read inside the transaction (revB #1): a clerk's step waits, or the
                # job reads the state the step committed, never folds a copy read before it.
                p = (
                    Petition.objects.select_for_update(of=("self",))
                    .select_related("registering_organ")
                    .filter(pk=pid)
                    .first()
                )
                if p is None:
                    continue
                before = copy.copy(p)
                deadline_recompute(petition=p)
                Petition.objects.filter(pk=p.pk).update(next_due=p.next_due)
                worklist_tally_move(before=before, after=p)  # the worklist's counts
                petition_seal(petition_ids=[p.pk])
                extensions.changed(petition_ids=[p.pk])  # the rate rollup reads the limits
            done += 1
    return done


def _kept(old: Deadline, new: DeadlineFact, today: date) -> bool:
    """Whether moving ``old`` to the earlier ``new.due`` would cost someone for the calendar: a
    petitioner's open window (shown with the old date); an organ's open duty or objection window
    the earlier date would make overdue at once; anything met after the new date but by the old
    one (it would read as late)."""
    if old.outcome == OPEN:
        return STATUTES[old.code].owner == Owner.PETITIONER or new.due < today
    if old.outcome == MET and old.closed_on is not None:
        return new.due < old.closed_on <= old.due_date
    return False


def deadline_recompute_after_calendar_change(
    *,
    first: date,
    last: date,
    actor: User | None,
    at: datetime | None = None,
    reason: str = "",
    batch: int = 500,
) -> tuple[int, list[DeadlineMove]]:
    """Fold again every petition whose open deadline, or lapsed window, counted a day of
    ``[first, last]`` (the days whose status changed), inside the caller's transaction.

    Returns the number of petitions folded and every due date that moved, was kept or reopened.
    """
    today = clock.local_date(at or clock.now())
    rows = Deadline.objects.filter(
        Q(outcome=OPEN) | Q(outcome=LAPSED), due_date__gte=first, start_date__lt=last
    )
    ids = sorted(set(rows.values_list("petition_id", flat=True)))
    moves: list[DeadlineMove] = []
    for i in range(0, len(ids), batch):
        with transaction.atomic():
            _recompute_calendar_chunk(ids[i : i + batch], actor, today, last, moves)
    return len(ids), moves


def _recompute_calendar_chunk(  # type: ignore[no-untyped-def]
    chunk: list[int], actor, today: date, last: date, moves: list[DeadlineMove]
) -> None:
    from xinfang.petitions.models import Petition, PetitionEvent
    from xinfang.petitions.services.worklist_tally import worklist_tally_moves

    # Locked in pk order before anything is read (revB #1): a clerk's step on one of them
    # waits for this chunk, or this chunk folds what the step committed, never a stale copy.
    petitions = {
        p.pk: p
        for p in Petition.objects.select_for_update(of=("self",))
        .select_related("registering_organ")
        .filter(pk__in=chunk)
        .order_by("pk")
    }
    chunk = [pid for pid in chunk if pid in petitions]
    befores = [copy.copy(p) for p in petitions.values()]  # the worklist's counts
    events: dict[int, list] = defaultdict(list)  # type: ignore[type-arg]
    for e in PetitionEvent.objects.filter(petition_id__in=chunk).order_by("petition_id", "seq"):
        events[e.petition_id].append(e)
    old_rows: dict[int, list[Deadline]] = defaultdict(list)
    for d in Deadline.objects.filter(petition_id__in=chunk).order_by("id"):
        old_rows[d.petition_id].append(d)
    kept = _kept_of(chunk)
    new_kept: list[KeptDueDate] = []
    new_rows: list[Deadline] = []
    for pid in chunk:
        p = petitions[pid]
        facts = deadline_facts(p, events[pid], kept=kept.get(pid))
        floors: Kept = {}
        latest = {f.code: i for i, f in enumerate(facts)}  # a reopened window follows it
        # Each fact beside the row of the same duty (rows keep their identity across folds,
        # so their id order need not be the fold's order).
        stored = _keyed(old_rows[pid])
        seen: Counter[tuple[str, date]] = Counter()
        for i, new in enumerate(facts):
            old = stored.get((pid, new.code, new.start, seen[(new.code, new.start)]))
            seen[(new.code, new.start)] += 1
            if old is None:
                continue
            # A window recorded as lapsed while the calendar now shows it was still open on
            # that day, and not reopened since: whether or not this change moved it (an
            # earlier fold may have moved it without reopening, e.g. rows of an old version).
            lost = (
                old.outcome == LAPSED
                and old.closed_on is not None
                and new.due >= old.closed_on
                and latest[old.code] == i
            )
            if old.due_date == new.due and not lost:
                continue
            move = DeadlineMove(
                petition_id=pid,
                tracking_code=p.tracking_code,
                code=old.code,
                start=old.start_date,
                before=old.due_date,
                computed=new.due,
                after=new.due,
                outcome=old.outcome,
                closed_on=old.closed_on,
                how="moved",
            )
            if lost:
                move = replace(move, how="reopened")
            elif new.due < old.due_date and _kept(old, new, today):
                floors[(old.code, old.start_date)] = old.due_date
                move = replace(move, after=old.due_date, how="kept")
            elif old.outcome != OPEN:
                continue  # a met or void limit, or a window that lapsed anyway: history
            moves.append(move)
        if floors:
            new_kept += [
                KeptDueDate(petition_id=pid, code=c, start_date=s, due_date=d, year=last.year)
                for (c, s), d in floors.items()
            ]
            facts = deadline_facts(p, events[pid], kept={**kept.get(pid, {}), **floors})
        new_rows += deadline_rows(p, facts)
        p.next_due = next_due(facts, p.current_organ_id)
    KeptDueDate.objects.bulk_create(new_kept)
    deadline_store(chunk, new_rows)
    Petition.objects.bulk_update(list(petitions.values()), ["next_due"])
    worklist_tally_moves((b, petitions[b.pk]) for b in befores)
    petition_seal(petition_ids=chunk, actor=actor)
    extensions.changed(petition_ids=chunk)  # the rate rollup reads the limits
