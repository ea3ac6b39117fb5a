"""One petition as its page and the API detail show it: facts, parties, timeline, deadlines and
the steps the user may take now."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import NotFound
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import _visible, petition_get_for_user
from xinfang.petitions.selectors.deadlines import deadline_rows, deadlines_of


def petition_actions_for_user(*, user: User, petition: Petition) -> list[str]:
    """The steps the law allows now that this user may take (what pages and the API offer)."""
    from xinfang.petitions.gate import actor_may, petition_context
    from xinfang.petitions.workflow import State, available_actions

    allowed = available_actions(State(petition.state), petition_context(petition))
    petition._xinfang_allowed = allowed  # type: ignore[attr-defined]  # read once per page
    window_due = _open_window_due(petition)
    today = clock.today()

    def timely(a: str) -> bool:
        # The remedy windows (T7, T9): a request is offered until the due date, the
        # "expired unused" step only after it (the service enforces the same dates).
        if a == "expire_window":
            return window_due is not None and today > window_due
        if a in ("request_review", "request_re_review") and window_due is not None:
            return today <= window_due
        return True

    return [a.value for a in allowed if timely(a.value) and actor_may(petition, a, user) is None]


#: Steps that only the organ's head signs (Arts. 32, 34–36; directory.permissions ``_SIGNING``).
_SIGNED_BY_HEAD = ("extend", "issue_opinion", "decide_review", "decide_re_review")


def petition_steps_for_the_head(*, user: User, petition: Petition) -> list[dict]:
    """The signing steps the law allows now on a petition the user's organ holds that the
    user's role cannot take: the page tells them that the organ's head signs these (issue 12,
    item 7), instead of leaving them to wonder why 出具处理意见书 is not there."""
    from xinfang.directory.permissions import user_can_act
    from xinfang.petitions.gate import petition_context
    from xinfang.petitions.workflow import ACTION_LABELS, Action, State, available_actions

    if user.organ_id is None or user.organ_id != petition.current_organ_id:
        return []
    allowed = getattr(petition, "_xinfang_allowed", None)
    if allowed is None:
        allowed = available_actions(State(petition.state), petition_context(petition))
    return [
        {"action": a.value, "label": ACTION_LABELS[a]}
        for a in allowed
        if a.value in _SIGNED_BY_HEAD and not user_can_act(user, Action(a))
    ]


def _open_window_due(petition: Petition) -> date | None:
    rows = getattr(petition, "_xinfang_deadlines", None)  # the page read them already
    if rows is not None:
        # rows are ordered by start date: the last open window is the latest one
        open_windows = [r for r in rows if r.code in ("T7", "T9") and r.outcome == "open"]
        return open_windows[-1].due_date if open_windows else None
    return (
        Deadline.objects.filter(petition=petition, code__in=("T7", "T9"), outcome="open")
        .order_by("-start_date")
        .values_list("due_date", flat=True)
        .first()
    )


def _accused_staff_of(p: Petition) -> list[dict]:
    """The staff an accusation names (no query for other petitions, which name no one)."""
    if p.category != "accusation":
        return []
    out = []
    for u in p.accused_staff.select_related("organ").order_by("id"):
        name = u.person_name
        organ = u.organ.name if u.organ else ""
        out.append(
            {
                "id": u.pk,
                "name": name,
                "organ": organ,
                "label": f"{name}（{organ}）" if organ else name,
            }
        )
    return out


def petition_detail_for_user(*, user: User, petition_id: int) -> dict:
    """Everything a petition page or the API detail shows, in one read."""
    from xinfang.petitions import extensions
    from xinfang.petitions.selectors.parties import parties_for_user
    from xinfang.petitions.workflow import ACTION_LABELS, STATE_LABELS, Action, State

    p = petition_get_for_user(user=user, petition_id=petition_id)
    # which apps' records the petition has at all, one query for every panel (extensions)
    extensions.presence_read(p)
    events = list(p.events.select_related("actor", "organ").order_by("seq"))
    rows = deadline_rows(p)
    # read once for the page: its panels (the transfer chain) and the steps offered use them
    p._xinfang_events = events  # type: ignore[attr-defined]
    p._xinfang_deadlines = rows  # type: ignore[attr-defined]
    labels = {a.value: lbl for a, lbl in ACTION_LABELS.items()} | {"receive": "接收"}
    return {
        "id": p.pk,
        "tracking_code": p.tracking_code,
        "title": p.title,
        "content": p.content,
        "channel": p.channel,
        "received_at": p.received_at,
        "category": p.category,
        "route": p.route,
        "region_code": p.region_id,
        "region": p.region.name,
        "state": p.state,
        "state_label": STATE_LABELS[State(p.state)],
        "current_organ": p.current_organ.name,
        "handling_organ": p.handling_organ.name if p.handling_organ else None,
        "is_collective": p.is_collective,
        "head_count": p.head_count,
        "is_anonymous": p.is_anonymous,
        "confidential": p.confidential,
        "accused_staff": _accused_staff_of(p),
        "accused_persons": p.accused_persons,
        "extended": p.extended,
        "in_hearing": p.in_hearing,
        "flags": flags_of(p),
        "parties": parties_for_user(user=user, petition=p),
        "timeline": [
            {
                "seq": e.seq,
                "action": e.action,
                "action_label": _flag_label(e.data)
                if e.action == "flag"
                else labels.get(e.action, e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": str(e.actor) if e.actor else None,
                "organ": e.organ.name if e.organ else None,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "reason": e.reason,
                "data": e.data,
            }
            for e in events
        ],
        "deadlines": [
            {
                "code": d.code,
                "step": d.step,
                "legal_basis": d.basis,
                "kind": d.kind,
                "owner": d.owner,
                "start": d.start,
                "due": d.due,
                "status": d.status.value,
                "days_left": d.days_left,
                "extension_days": d.extension_days,
                "paused_days": d.paused_days,
                "closed_on": d.closed_on,
                "provisional": d.provisional,
                "provisional_years": list(d.provisional_years),
            }
            for d in deadlines_of(p, rows=rows)
        ],
        "available_actions": petition_actions_for_user(user=user, petition=p),
        "head_signs": petition_steps_for_the_head(user=user, petition=p),
        "action_labels": {a.value: ACTION_LABELS[a] for a in Action},
        "petition": p,
        "attachments": list(
            p.attachments.order_by("id").values("id", "original_name", "content_type", "size")
        )
        if extensions.present(p, "attachments") is not False
        else [],
        "linked": _linked_for_user(user, p),
        "art36_prior": _art36_prior(user, p),
    }


def re_review_ended_on(prior: Petition | None):  # type: ignore[no-untyped-def]
    """The day an earlier petition's matter was ended by re-review (终结), or None."""
    if prior is None:
        return None
    ev = prior.events.filter(action="decide_re_review").order_by("-seq").first()
    return clock.local_date(ev.occurred_at) if ev is not None else None


def _flag_label(data: dict) -> str:
    """A flag event on the timeline: "标记：督办" or "取消标记：督办"."""
    from xinfang.petitions.flags import CONCLUDED_ELSEWHERE, CONCLUDED_ELSEWHERE_LABELS, FLAGS, Flag

    if data.get("flag") == CONCLUDED_ELSEWHERE:  # reported by the other installation (issue 20)
        return gettext(CONCLUDED_ELSEWHERE_LABELS[bool(data.get("on"))])
    try:
        label = gettext(FLAGS[Flag(data.get("flag"))].label)
    except ValueError:
        label = str(data.get("flag", ""))
    on = data.get("on")
    return (gettext("标记：%(flag)s") if on else gettext("取消标记：%(flag)s")) % {"flag": label}


def flags_of(p: Petition) -> list[dict]:
    """The cross-cutting facts that are on (regulation.md §6.1), with their articles."""
    from xinfang.petitions.flags import FLAGS

    return [
        {
            "flag": f.value,
            "label": rule.label,
            "basis": rule.basis,
            "leader": p.leader_in_charge if f.value == "leader_case" else "",
        }
        for f, rule in FLAGS.items()
        if getattr(p, f.value)
    ]


def _art36_prior(user: User, p: Petition) -> dict | None:
    """The earlier matter this petition repeats, when re-review ended it (Art. 36 para 3): the
    page prompts the not-accept path, and a person decides (new facts or reasons make a new
    petition). Only for a user who may see the earlier file, as the service decides."""
    if p.repeat_of_id is None or p.state not in _ART36_STATES:
        return None
    ended = re_review_ended_on(p.repeat_of)
    if ended is None:
        return None
    if not Petition.objects.filter(_visible(user), pk=p.repeat_of_id).exists():
        return None  # an earlier file the user may not see tells nothing (no oracle)
    return {
        "terminated_on": ended,
        "id": p.repeat_of_id,
        "title": p.repeat_of.title,  # type: ignore[union-attr]
    }


#: States in which the petition can still be accepted or not (Art. 36 para 3 applies there).
_ART36_STATES = frozenset({"registered", "routing", "transferred", "assigned"})


def _linked_for_user(user: User, p: Petition) -> list[dict]:
    """Earlier and later petitions about the same matter that the user may see."""
    from xinfang.petitions import extensions

    later = []
    if extensions.present(p, "repeats") is not False:  # None: not read, ask
        later = list(p.repeats.values_list("id", flat=True)[:50])
    ids = [x for x in [p.repeat_of_id] if x] + later
    if not ids:
        return []
    from xinfang.petitions.workflow import STATE_LABELS, State

    rows = (
        Petition.objects.filter(_visible(user), pk__in=ids)
        .exclude(state=State.VOIDED)  # a voided duplicate is no part of the matter
        .order_by("received_at")
    )
    return [
        {
            "id": x.pk,
            "title": x.title,
            "received_at": x.received_at,
            "earlier": x.pk == p.repeat_of_id,
            "state": x.state,  # its state tells whether Art. 36 para 3 may apply
            "state_label": STATE_LABELS[State(x.state)],
        }
        for x in rows.only("id", "title", "received_at", "state")
    ]


def attachment_for_user(*, user: User, petition_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    """An attachment of a petition the user may see (the same gate), or NotFound."""
    p = petition_get_for_user(user=user, petition_id=petition_id)
    a = p.attachments.filter(pk=attachment_id).first()
    if a is None:
        raise NotFound(gettext("未找到该附件"))
    return a


def petition_for_receipt(*, petition_id: int) -> Petition | None:
    """The petition a desk receipt prints (registering organ, date, title, code). Only for the
    browser that has just registered it (the desk keeps that proof in its session): an
    accusation against the desk's own organ is registered elsewhere and the clerk may no longer
    open it (Art. 30 para 3), but the receipt of what they registered is still theirs to print."""
    return Petition.objects.select_related("registering_organ").filter(pk=petition_id).first()
