"""People's suggestions (建议意见类, Art. 29): study, decide with a reasoned written reply, list
the adopted ones publicly (no identity unless consented), commend or reward valuable ones.

Who: the staff of the organ holding the petition whose role may take the ``reply`` step (the
petitions gate, ``actor_may``); a suggestion outside the user's scope is a 404. The decision is
the ``reply`` step of ``petition_act`` (``suggestion_review`` -> ``replied``), which numbers the
答复意见书 (documents app); no state is written here."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.documents.services import document_number_next
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.petitions.services import actor_may, petition_act
from xinfang.petitions.workflow import Action, Category, State
from xinfang.resolution.access import petition_record_scope, require
from xinfang.resolution.models import (
    ADOPTED,
    RecognitionKind,
    Suggestion,
    SuggestionRecognition,
    SuggestionStatus,
)
from xinfang.resolution.services._privacy import identifying_in
from xinfang.resolution.services._shared import (
    Forbidden,
    deciding_suggestion,
    invalid,
    record_for_update,
    text,
)

RECOGNITION_CODE = "建奖"  # 文种代字 of a commendation or reward decision
DECISIONS = (SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY, SuggestionStatus.NOT_ADOPTED)


def _audit(actor: User, s: Suggestion, action: str, at: datetime) -> None:
    audit_record(
        kind=f"suggestion.{action}",
        actor=actor,
        object_type="suggestion",
        object_id=s.pk,
        data={"petition_id": s.petition_id, "status": s.status},
        at=at,
    )


def suggestion_open(
    *,
    actor: User,
    petition_id: int,
    subject: str,
    study: str = "",
    submission: str | None = None,
    at: datetime | None = None,
) -> Suggestion:
    """Open the study of a suggestion (研究论证) under a subject that may be made public.

    Refused: a petition the actor may not see (404), one not of the suggestion category or not
    under study (``suggestion_review``), an actor whose organ does not hold it or whose role may
    not reply, a second study of the same petition, a subject naming the suggester."""
    require(actor, Cap.RESOLUTION_VIEW)
    at = at or clock.now()
    if submission:
        done = Suggestion.objects.filter(submission=submission, created_by=actor).first()
        if done is not None:
            return done
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    if (why := actor_may(petition, Action.REPLY, actor)) is not None:
        raise Forbidden(why)
    errors: dict[str, list[str]] = {}
    if petition.category != Category.SUGGESTION or petition.state != State.SUGGESTION_REVIEW:
        errors["petition"] = [gettext("只有正在研究的建议意见类信访事项可以立项研究（第二十九条）")]
    subject = text(subject, limit=200, field="subject")
    study = text(study, limit=20000, field="study")
    if not subject:
        errors["subject"] = [gettext("请填写建议主题")]
    else:
        errors.update(identifying_in(petition_id=petition.pk, texts={"subject": subject}))
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        Petition.objects.select_for_update(of=("self",)).filter(pk=petition.pk).first()
        if Suggestion.objects.filter(petition=petition).exists():
            raise invalid({"petition": [gettext("该建议已立项研究")]})
        s = Suggestion.objects.create(
            petition=petition,
            organ_id=petition.current_organ_id,
            subject=subject,
            study=study,
            created_by=actor,
            created_at=at,
            submission=submission or None,
        )
        _audit(actor, s, "open", at)
    return s


def _for_update(actor: User, suggestion_id: int) -> Suggestion:
    return record_for_update(
        Suggestion,
        actor=actor,
        record_id=suggestion_id,
        scope=petition_record_scope(actor),
        missing=gettext("未找到该建议，或不在您的查看范围内"),
        step=Action.REPLY,
    )


def suggestion_decide(
    *,
    actor: User,
    suggestion_id: int,
    decision: str,
    reply: str,
    reply_summary: str = "",
    publish: bool = True,
    credit_name: str = "",
    credit_consent: bool = False,
    study: str | None = None,
    at: datetime | None = None,
) -> Suggestion:
    """Decide a suggestion: adopted, partly adopted or not adopted, with the written reasoned
    reply (Art. 29: 予以采纳并回复). The reply is the ``reply`` step (its numbered 答复意见书).

    An adopted or partly adopted suggestion may be listed publicly: its subject and the reply
    summary (required then), checked to name no party; a credit only with the suggester's
    consent, never for an anonymous petition."""
    at = at or clock.now()
    reply = text(reply, limit=20000, field="reply")
    reply_summary = text(reply_summary, limit=1000, field="reply_summary")
    credit_name = text(credit_name, limit=100, field="credit_name")
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [gettext("请选择：予以采纳、部分采纳或不予采纳（第二十九条）")]
    if not reply:
        errors["reply"] = [gettext("请填写答复意见，写明采纳或者不予采纳的理由")]
    adopted = decision in ADOPTED
    publish = bool(publish) and adopted
    if publish and not reply_summary:
        errors["reply_summary"] = [gettext("公开的建议请填写答复摘要")]
    if credit_name and not (publish and credit_consent):
        errors["credit_name"] = [gettext("只有经建议人同意，才能在公开的建议中署名")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        s = _for_update(actor, suggestion_id)
        if s.status != SuggestionStatus.STUDYING:
            raise invalid({"decision": [gettext("该建议已作出决定")]})
        petition = Petition.objects.only("is_anonymous").get(pk=s.petition_id)
        if credit_name and petition.is_anonymous:
            raise invalid({"credit_name": [gettext("匿名提出的建议不署名")]})
        # the subject too: it is published now, and a party may have been corrected since the
        # study opened (Art. 29)
        checked = {"subject": s.subject, "reply_summary": reply_summary} if publish else {}
        if found := identifying_in(petition_id=s.petition_id, texts=checked):
            raise invalid(found)
        token = deciding_suggestion.set(s.pk)
        try:
            petition_act(
                petition_id=s.petition_id,
                action=Action.REPLY,
                actor=actor,
                at=at,
                reason=reply,
                data={"adoption": decision, "suggestion_id": s.pk},
            )
        finally:
            deciding_suggestion.reset(token)
        s.reply_event = (
            PetitionEvent.objects.filter(petition_id=s.petition_id, action=Action.REPLY)
            .order_by("-seq")
            .first()
        )
        s.status = decision
        s.reply_summary = reply_summary
        s.public = publish
        s.credit_name = credit_name if publish else ""
        if study is not None:
            s.study = text(study, limit=20000, field="study")
        s.decided_on, s.decided_by = clock.local_date(at), actor
        s.save()
        _audit(actor, s, "decide", at)
    return s


def suggestion_withdraw_public(
    *, actor: User, suggestion_id: int, at: datetime | None = None
) -> Suggestion:
    """Take an adopted suggestion off the public list (a suggester who withdraws consent, a
    mistake in the text). The decision and the reply stand."""
    at = at or clock.now()
    with transaction.atomic():
        s = _for_update(actor, suggestion_id)
        if not s.public:
            raise invalid({"public": [gettext("该建议未公开")]})
        s.public, s.credit_name = False, ""
        s.save(update_fields=["public", "credit_name"])
        _audit(actor, s, "unpublish", at)
    return s


def suggestion_recognise(
    *,
    actor: User,
    suggestion_id: int,
    kind: str,
    description: str,
    at: datetime | None = None,
) -> SuggestionRecognition:
    """Commend or reward a valuable suggestion (Art. 29: 对提出的建议意见有价值的，给予表彰奖励):
    only one adopted in whole or in part; the decision is numbered."""
    at = at or clock.now()
    description = text(description, limit=5000, field="description")
    errors: dict[str, list[str]] = {}
    if kind not in RecognitionKind.values:
        errors["kind"] = [gettext("请选择表彰或奖励")]
    if not description:
        errors["description"] = [gettext("请写明表彰奖励的内容和理由")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        s = _for_update(actor, suggestion_id)
        if s.status not in ADOPTED:
            raise invalid({"kind": [gettext("只有被采纳的有价值的建议可以表彰奖励（第二十九条）")]})
        today = clock.local_date(at)
        r = SuggestionRecognition.objects.create(
            suggestion=s,
            kind=kind,
            description=description,
            number=document_number_next(
                organ_id=s.organ_id, code=RECOGNITION_CODE, year=today.year
            ),
            decided_on=today,
            created_by=actor,
            created_at=at,
        )
        _audit(actor, s, "recognise", at)
    return r


__all__ = [
    "suggestion_decide",
    "suggestion_open",
    "suggestion_recognise",
    "suggestion_withdraw_public",
]
