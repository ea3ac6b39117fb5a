"""Draft → approval of the decisions the organ's head signs (issue 12, item 7).

The handler drafts the handling opinion (Art. 32) or an extension (Art. 34: "经本机关负责人批
准"), saves it as often as they like, and submits it; the organ's head approves it, which takes
the step through ``petition_act`` with the head as its actor, or returns it with a note, which
puts it back on the handler's worklist. A draft is the organ's own paper: nothing of it reaches
the petitioner, the portal or the documents until the head's approval writes the event, and
the review clock runs only from that opinion's delivery (Arts. 35, 36).

Every draft state has a way out (``DRAFT_STEPS``): a draft is submitted, approved or
discarded; a submitted one approved, returned or withdrawn; a returned one edited and submitted
again, approved or discarded. Every step is audited and shown on the petition's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can, user_can_act
from xinfang.documents.models import OPEN_DRAFT, Draft, DraftStatus
from xinfang.petitions.gate import petition_context
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act, petition_step_check
from xinfang.petitions.workflow import ACTION_LABELS, Action, State, available_actions

S = DraftStatus

#: The steps a draft may be written for: those the organ's head signs (Arts. 32, 34–36;
#: ``directory.permissions._SIGNING``).
DRAFTABLE = frozenset(
    {Action.ISSUE_OPINION, Action.EXTEND, Action.DECIDE_REVIEW, Action.DECIDE_RE_REVIEW}
)

#: The fields each draft keeps (the step's own form: ``web.forms.FIELDS``).
DRAFT_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.ISSUE_OPINION: ("outcome", "request", "facts", "decision", "legal_basis"),
    Action.EXTEND: ("days",),
    Action.DECIDE_REVIEW: ("outcome", "request", "facts", "decision", "legal_basis", "redo_days"),
    Action.DECIDE_RE_REVIEW: ("request", "facts", "decision", "legal_basis"),
}

#: Draft step -> (the states it starts from, the state it leads to, who takes it).
DRAFT_STEPS: dict[str, tuple[frozenset[str], str, str]] = {
    "save": (frozenset({S.DRAFT, S.RETURNED}), "", "drafter"),  # "": the status stays
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, "drafter"),
    "withdraw": (frozenset({S.SUBMITTED}), S.DRAFT, "drafter"),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED, "signer"),
    "approve": (frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.APPROVED, "signer"),
    "discard": (frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.DISCARDED, "drafter"),
}

TEXT_MAX = 50_000  # characters of one field (as a step's reason, petitions.services.act)
NOTE_MAX = 5_000


def draft_may(*, draft: Draft, step: str, actor: User) -> str | None:
    """Why ``actor`` may not take ``step`` on ``draft`` now, or None when they may."""
    sources, _target, who = DRAFT_STEPS[step]
    if draft.status not in sources:
        return gettext("草稿当前状态“%(status)s”下不能办理此操作") % {
            "status": gettext(DraftStatus(draft.status).label)
        }
    if actor.organ_id is None or actor.organ_id != draft.organ_id:
        return gettext("只有起草机关的工作人员可以办理该草稿")
    signer = user_can_act(actor, Action(draft.action))
    if who == "signer" and not signer:
        return gettext("由本机关负责人签发或退回（第三十二条、第三十四条）")
    if who == "drafter" and not (signer or user_can(actor, Cap.DRAFT_DECISION)):
        return gettext("您的角色不能起草文书")
    return None


def _clean(action: Action, data: Mapping[str, Any], reason: str) -> tuple[dict[str, str], str]:
    """The draft's own fields as text, bounded (a draft may be incomplete: only its length is
    checked when it is saved; the law's requirements when it is submitted or approved)."""
    out = {}
    errors: dict[str, list[str]] = {}
    for name in DRAFT_FIELDS[action]:
        value = str(data.get(name, "") or "")
        if len(value) > TEXT_MAX:
            errors[name] = [gettext("不能超过 %(n)s 字") % {"n": TEXT_MAX}]
        out[name] = value
    if len(reason) > TEXT_MAX:
        errors["reason"] = [gettext("不能超过 %(n)s 字") % {"n": TEXT_MAX}]
    if errors:
        raise ApplicationError(gettext("草稿内容过长，请精简后保存"), fields=errors)
    return out, reason


def _drafter_check(petition: Petition, action: Action, actor: User) -> None:
    """A new draft: by a drafter of the organ that holds the petition, on a step the law may
    allow there (Arts. 31(6), 34–36), never by staff an accusation names (Art. 30 para 3)."""
    from xinfang.petitions.selectors.access import petition_names_user

    if action not in DRAFTABLE:
        raise ApplicationError(gettext("该步骤不需要起草文书"), code="not_draftable", status=404)
    if petition.category == "accusation" and petition_names_user(petition=petition, user=actor):
        raise NotFound(gettext("未找到该信访事项，或不在您的查看范围内"))
    if actor.organ_id is None or actor.organ_id != petition.current_organ_id:
        raise Forbidden(gettext("该信访事项不在本机关办理"))
    if not (user_can(actor, Cap.DRAFT_DECISION) or user_can_act(actor, action)):
        raise Forbidden(gettext("您的角色不能起草文书"))
    if action not in available_actions(State(petition.state), petition_context(petition)):
        raise ApplicationError(
            gettext("该信访事项现在不能“%(action)s”（第三十一条至第三十六条）")
            % {"action": gettext(ACTION_LABELS[action])},
            code="illegal_transition",
            status=409,
        )


def _locked_draft(draft_id: int) -> Draft:
    try:
        return Draft.objects.select_for_update().select_related("petition").get(pk=draft_id)
    except Draft.DoesNotExist:
        raise NotFound(gettext("未找到该草稿")) from None


def _stale(draft: Draft, version: int | None) -> None:
    """The draft changed since the user opened it: they act on what they read, or not at all
    (the head signs the text they saw; an edit never overwrites another's unseen)."""
    if version is not None and version != draft.version:
        raise ApplicationError(
            gettext("草稿已被他人修改，请查看最新内容后再操作"),
            code="draft_changed",
            status=409,
        )


def _log(draft: Draft, kind: str, actor: User, note: str = "", **extra: Any) -> None:
    now = clock.now()
    draft.history = [
        *draft.history,
        {
            "at": now.isoformat(),
            "kind": kind,
            "actor": str(actor),
            "note": note,
            "version": draft.version,
        },
    ]
    audit_record(
        kind=f"draft.{kind}",
        actor=actor,
        object_type="petition",
        object_id=draft.petition_id,
        data={"draft": draft.pk, "action": draft.action, "version": draft.version, **extra},
    )


def draft_save(
    *,
    petition_id: int,
    action: Action | str,
    actor: User,
    data: Mapping[str, Any],
    reason: str = "",
    draft_id: int | None = None,
    version: int | None = None,
) -> Draft:
    """Save a draft as it is (incomplete is fine): a new one, or the open one ``draft_id``."""
    action = Action(action)
    if action not in DRAFTABLE:
        raise ApplicationError(gettext("该步骤不需要起草文书"), code="not_draftable", status=404)
    fields, reason = _clean(action, data, reason)
    now = clock.now()
    with transaction.atomic():
        if draft_id is None:
            petition = Petition.objects.select_related("current_organ").get(pk=petition_id)
            _drafter_check(petition, action, actor)
            if Draft.objects.filter(
                petition=petition, action=action, status__in=OPEN_DRAFT
            ).exists():
                raise ApplicationError(
                    gettext("该步骤已有一份草稿，请在草稿上继续修改"),
                    code="draft_exists",
                    status=409,
                )
            try:
                with transaction.atomic():
                    draft = Draft.objects.create(
                        petition=petition,
                        action=action,
                        organ_id=petition.current_organ_id,
                        data=fields,
                        reason=reason,
                        author=actor,
                        updated_by=actor,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:  # another drafter's first save went in first
                raise ApplicationError(
                    gettext("该步骤已有一份草稿，请在草稿上继续修改"),
                    code="draft_exists",
                    status=409,
                ) from None
            _log(draft, "create", actor)
            draft.save(update_fields=["history"])
            return draft
        draft = _locked_draft(draft_id)
        if draft.petition_id != petition_id or draft.action != action:
            raise NotFound(gettext("未找到该草稿"))
        if (why := draft_may(draft=draft, step="save", actor=actor)) is not None:
            raise Forbidden(why)
        if draft.data == fields and draft.reason == reason:
            return draft  # nothing changed (a second click, a save before a step): no version
        _stale(draft, version)
        draft.data, draft.reason = fields, reason
        draft.version += 1
        draft.updated_by, draft.updated_at = actor, now
        _log(draft, "save", actor)
        draft.save()
        return draft


def _step(draft_id: int, step: str, actor: User, version: int | None, note: str = "") -> Draft:
    """Take a draft step that only changes the draft's status (and writes its history)."""
    draft = _locked_draft(draft_id)
    if (why := draft_may(draft=draft, step=step, actor=actor)) is not None:
        raise Forbidden(why)
    _stale(draft, version)
    draft.status = DRAFT_STEPS[step][1]
    draft.updated_by, draft.updated_at = actor, clock.now()
    _log(draft, step, actor, note)
    return draft


def draft_submit(*, draft_id: int, actor: User, version: int | None = None) -> Draft:
    """Submit for signing: what the law and the step require must be there already (Art. 32:
    the request, facts, decision and basis; Art. 34: the days and the reason)."""
    with transaction.atomic():
        draft = _step(draft_id, "submit", actor, version)
        petition = Petition.objects.select_related("current_organ").get(pk=draft.petition_id)
        if petition.current_organ_id != draft.organ_id:
            raise ApplicationError(gettext("该信访事项已不在本机关办理"), status=409)
        petition_step_check(
            petition=petition, action=draft.action, reason=draft.reason, data=draft.data
        )
        draft.note = ""
        draft.save()
        return draft


def draft_withdraw(*, draft_id: int, actor: User, version: int | None = None) -> Draft:
    """The drafter takes a submitted draft back to change it."""
    with transaction.atomic():
        draft = _step(draft_id, "withdraw", actor, version)
        draft.save()
        return draft


def draft_return(*, draft_id: int, actor: User, note: str, version: int | None = None) -> Draft:
    """The head returns a submitted draft with the reason; it goes back to the handlers."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            gettext("请说明退回的理由"), fields={"note": [gettext("请说明退回的理由")]}
        )
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            gettext("退回意见过长"),
            fields={"note": [gettext("不能超过 %(n)s 字") % {"n": NOTE_MAX}]},
        )
    with transaction.atomic():
        draft = _step(draft_id, "return", actor, version, note)
        draft.note = note
        draft.save()
        return draft


def draft_discard(*, draft_id: int, actor: User, version: int | None = None) -> Draft:
    """Set a draft aside for good (kept, never deleted): the step was taken another way, or
    is no longer due."""
    with transaction.atomic():
        draft = _step(draft_id, "discard", actor, version)
        draft.save()
        return draft


def draft_approve(*, draft_id: int, actor: User, version: int | None = None) -> Draft:
    """The head signs: the step is taken through ``petition_act`` with the head as its actor
    and the draft's text as its content, in one transaction with the draft's new status. A
    refusal of the step (the law, a field, the head's role or organ) leaves the draft as it was.
    """
    with transaction.atomic():
        draft = _step(draft_id, "approve", actor, version)
        petition = petition_act(
            petition_id=draft.petition_id,
            action=draft.action,
            actor=actor,
            reason=draft.reason,
            data={k: v for k, v in draft.data.items() if v != ""},
        )
        draft.event = petition.events.order_by("-seq").first()
        draft.note = ""
        draft.save()
        return draft
