"""The one writer of ``Petition.state``: ``petition_act`` takes one step of the procedure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, pgettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.deadlines.tracker import next_due
from xinfang.directory.models import User
from xinfang.petitions import extensions
from xinfang.petitions.gate import actor_may, petition_context
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.seal import petition_seal
from xinfang.petitions.services._shared import _event_time, _jsonable, _new_event
from xinfang.petitions.services.deadlines import deadline_facts, deadline_recompute, deadline_rows
from xinfang.petitions.services.steps import _apply_effects, _validate_step, deadlines_pending
from xinfang.petitions.services.worklist_tally import worklist_tally_move
from xinfang.petitions.workflow import (
    OPEN_STATES,
    Action,
    Category,
    Context,
    IllegalAction,
    State,
    next_state,
)

REASON_MAX = 50_000  # characters of a step's reason (as a petition's content)
DATA_MAX = 200_000  # characters of a step's data as JSON


def _within_limits(reason: str, data: Mapping[str, Any]) -> None:
    """A step's reason and data are bounded (a 1 MB reason was stored before, issue 13)."""
    fields: dict[str, list[str]] = {}
    if len(reason or "") > REASON_MAX:
        fields["reason"] = [gettext("理由不能超过 %(n)s 字") % {"n": REASON_MAX}]
    try:
        size = len(json.dumps(data, default=str))
    except (TypeError, ValueError):
        size = DATA_MAX + 1
    if size > DATA_MAX:
        fields["data"] = [gettext("提交的数据过大")]
    if fields:
        raise ApplicationError(gettext("提交的内容过长，请精简后重新提交"), fields=fields)


class AccusedOrganFixed(RuntimeError):
    """A step that would change the accused organ (被检举控告单位): it is fixed when the
    petition is registered (``petition_register``, the bulk and remote paths), because who may
    never see the petition (Art. 30 para. 3: the accusation never passed to the accused,
    ``accusation_exclusions``) and the accountability drill-down by accused organ are read
    from it; a later change would show an accusation to the organ it accuses. A fault of the
    code, never of the user's input: the step's transaction is rolled back."""

    def __init__(self, petition_id: int) -> None:
        super().__init__(f"petition {petition_id}: the accused organ is fixed at registration")


def petition_act(
    *,
    petition_id: int,
    action: Action | str,
    actor: User | None,
    at: datetime | date | None = None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> Petition:
    """Take one step of the procedure on a petition.

    Locks the row, checks the actor's organ and role, the law (``workflow.next_state``), the
    step's own fields and its date, then writes the new state, the event and the recomputed
    deadlines in one transaction. ``at`` is the real date of a paper event (a letter's receipt,
    a delivery receipt); it may not be in the future nor before the previous event.
    """
    action = Action(action)
    data = dict(data or {})
    _within_limits(reason, data)
    now = clock.now()
    with transaction.atomic():
        petition = _locked(petition_id)
        if actor is not None:
            _gate(petition, action, actor)
        ev = _step(petition, action, actor=actor, at=at, reason=reason, data=data, now=now)
        # Last: the step's audit record and the seal of what was written (ADR 0014).
        petition_seal(petition_ids=[petition.pk], actor=actor, events=[ev])
    return petition


def _step(
    petition: Petition,
    action: Action,
    *,
    actor: User | None,
    at: datetime | date | None,
    reason: str,
    data: dict[str, Any],
    now: datetime,
    history: list[PetitionEvent] | None = None,
) -> PetitionEvent:
    """One step on a petition already locked (or written in this transaction): the checks of
    the law and of the step, then the state, the event, the deadlines and the hooks, in the
    caller's transaction; no seal (the caller seals: one step, or a batch of imported petitions,
    ``bulk.py``). ``history``: the petition's events so far, when the caller holds them (they
    are read otherwise); the new event is appended to it."""
    accused = petition.accused_organ_id  # fixed at registration: checked before the save
    when = _event_time(at, petition.last_event_at, now)
    ctx = petition_context(petition, data)
    _check_legal(petition, action, ctx)  # the law first: an illegal step is refused as such
    _validate_step(petition, action, reason, data, when, actor)
    before = extensions.snapshot(petition)  # for the hooks: e.g. the rollup's old cell
    if history is None:
        history = list(petition.events.order_by("seq"))  # read once: the next seq and the fold
    seq = (history[-1].seq if history else 0) + 1
    ev = _transition(
        petition,
        action,
        ctx,
        actor=actor,
        at=when,
        seq=seq,
        reason=reason,
        data=data,
        now=now,
        prev_at=petition.last_event_at,
    )
    ev.save()
    history.append(ev)
    pending = deadlines_pending.get()
    if pending is not None and petition.pk in pending:
        # The bulk path: a petition new in this transaction (no kept due dates yet) is folded
        # in memory; its rows are written once, after its last step (ADR 0020).
        facts = deadline_facts(petition, history)
        pending[petition.pk] = deadline_rows(petition, facts)
        petition.next_due = next_due(facts, petition.current_organ_id)
    else:
        deadline_recompute(petition=petition, events=history)
    petition.is_open = petition.state in OPEN_STATES or bool(petition.delivery_pending)
    if petition.accused_organ_id != accused:
        raise AccusedOrganFixed(petition.pk)
    petition.save()
    worklist_tally_move(before=before, after=petition)  # the worklist's counts
    # The apps above: the 文号 of the document this step issues, the analytics rollup.
    extensions.acted(petition=petition, event=ev, before=before)
    return ev


def petition_step_check(
    *, petition: Petition, action: Action | str, reason: str = "", data: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Whether the law and the step's own fields allow ``action`` now, without taking it: the
    same checks as :func:`petition_act` except the actor's role (a draft of a step the organ's
    head signs is checked when the handler submits it, Arts. 32, 34). Returns the data in its
    stored form; raises :class:`ApplicationError` as ``petition_act`` would."""
    action = Action(action)
    data = dict(data or {})
    _within_limits(reason, data)
    ctx = petition_context(petition, data)
    _check_legal(petition, action, ctx)
    _validate_step(petition, action, reason, data, clock.now(), None)
    return data


def _locked(petition_id: int) -> Petition:
    """The petition, its row locked for this transaction, with the organs the step reads.

    On PostgreSQL a request that waited for the lock while another step changed the petition's
    organ finds no row: the joined organ rows are re-checked against the petition's new version
    (READ COMMITTED's re-check of a locked row), so the join fails. Read it once more, now that
    the other step has committed; only a petition that does not exist is a 404 (issue 13 §1.2).
    """
    query = Petition.objects.select_for_update(of=("self",)).select_related(
        "current_organ", "registering_organ", "handling_organ", "review_organ"
    )
    for _attempt in range(3):
        try:
            return query.get(pk=petition_id)
        except Petition.DoesNotExist:
            if not Petition.objects.filter(pk=petition_id).exists():
                break
    raise NotFound()


def _transition(
    petition: Petition,
    action: Action,
    ctx: Context,
    *,
    actor: User | None,
    at: datetime,
    seq: int,
    reason: str,
    data: dict[str, Any],
    now: datetime,
    prev_at: datetime,
) -> PetitionEvent:
    """Apply ``action``: the only place that assigns ``Petition.state`` after creation."""
    target = _check_legal(petition, action, ctx)
    source = petition.state
    _apply_effects(petition, action, data, at)
    petition.state = target
    petition.last_event_at = at
    actor_organ = actor.organ if actor is not None else None
    return _new_event(
        petition,
        seq,
        action,
        source,
        target,
        actor,
        petition.current_organ,
        at,
        now,
        reason=reason,
        data=_jsonable(data),
        actor_organ=actor_organ,
    )


def _check_legal(petition: Petition, action: Action, ctx: Context) -> State:
    try:
        return next_state(State(petition.state), action, ctx)
    except IllegalAction as e:
        # The pure table cannot translate (no Django): its static message, or its template with
        # labels as parameters, is the msgid. A state is named as such, the action refused as the
        # command the user chose (msgctxt "staff action", as on its button).
        message = gettext(e.template)
        if e.params:
            message = message.format(**{k: _label(k, v) for k, v in e.params.items()})
        raise ApplicationError(message, code=e.code, status=409) from e


def _label(kind: str, label: str) -> str:
    if kind == "action" and (command := pgettext("staff action", label)) != label:
        return command
    return gettext(label)


def _gate(petition: Petition, action: Action, actor: User) -> None:
    if (why := actor_may(petition, action, actor)) is not None:
        raise Forbidden(why)
    _recuse(petition, actor)


def _recuse(petition: Petition, actor: User) -> None:
    """A staff member an accusation names may not act on it (Art. 28, Art. 30 para 3). The
    answer is the one for a missing petition: nothing tells them that it exists."""
    from xinfang.petitions.selectors.access import petition_names_user

    if petition.category == Category.ACCUSATION and petition_names_user(
        petition=petition, user=actor
    ):
        raise NotFound(gettext("未找到该信访事项，或不在您的查看范围内"))
