"""Supervision (督办, Art. 40): a petition office issues a numbered notice to an organ, the organ
replies in writing with a numbered reply. The petitions concerned carry the ``supervised`` flag
(set through ``petitions.services.petition_flag_set``, the one writer of flags)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import Cap
from xinfang.directory.selectors import organ_ancestor_ids
from xinfang.documents.services import document_number_next
from xinfang.petitions.flags import Flag
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.petitions.services import petition_flag_set
from xinfang.resolution.access import notice_scope, region_prefix, require
from xinfang.resolution.models import NoticeStatus, Reason, SupervisionNotice, SupervisionPetition
from xinfang.resolution.services._shared import Forbidden, NotFound, invalid, prior, text, unique

NOTICE_CODE = "信督"  # 文种代字 of a supervision notice
REPLY_CODE = "信督复"  # of the organ's written reply
MAX_PETITIONS = 200
DUPLICATE = "已存在：该督办通知已经发出，请勿重复提交"


def reply_days() -> int:
    return int(getattr(settings, "XINFANG_SUPERVISION_REPLY_DAYS", 30))


def _may_supervise(office: Organ, organ: Organ) -> bool:
    """The office supervises the organs of its region (Art. 40), never itself."""
    return organ.pk != office.pk and organ.region_id.startswith(region_prefix(office))


def supervision_issue(
    *,
    actor: User,
    organ: Organ,
    petition_ids: list[int],
    reasons: list[str],
    facts: str,
    listed: bool = False,
    reply_due: date | None = None,
    submission: str | None = None,
    at: datetime | None = None,
) -> SupervisionNotice:
    """Issue a supervision notice from the actor's petition office to ``organ``.

    Refused: an actor outside a petition office (Art. 40 is the petition office's act), an
    organ outside its region, no reason from the Art. 40 list, a petition the actor may not
    see, and a petition that accuses ``organ`` or an organ above it (an accusation never goes
    to the accused, Art. 30 para 3)."""
    require(actor, Cap.SUPERVISE)
    office = actor.organ
    if office is None or office.kind != OrganKind.PETITION_OFFICE:
        raise Forbidden(gettext("只有信访部门可以督办（第四十条）"))
    if not organ.is_active or not _may_supervise(office, organ):
        raise invalid({"organ": [gettext("请选择本辖区内的被督办机关")]})
    at = at or clock.now()
    if (done := prior(SupervisionNotice, submission, issued_by=actor)) is not None:
        return done
    today = clock.local_date(at)
    errors: dict[str, list[str]] = {}
    reasons = list(dict.fromkeys(reasons))
    if not reasons or any(r not in Reason.values for r in reasons):
        errors["reasons"] = [gettext("请从第四十条所列情形中选择督办事由")]
    facts = text(facts, limit=5000, field="facts")
    if not facts:
        errors["facts"] = [gettext("请写明存在的问题和督办要求")]
    due = reply_due or today + timedelta(days=reply_days())
    if due <= today:
        errors["reply_due"] = [gettext("书面反馈期限应晚于督办日期")]
    ids = list(dict.fromkeys(petition_ids))
    if not ids:
        errors["petitions"] = [gettext("请填写督办的信访事项")]
    elif len(ids) > MAX_PETITIONS:
        errors["petitions"] = [gettext("一次督办的信访事项过多")]
    petitions = list(
        petition_queryset_for_user(user=actor).filter(pk__in=ids).only("pk", "accused_organ_id")
    )
    if ids and len(petitions) != len(ids):
        errors["petitions"] = [gettext("有信访事项不存在或不在您的查看范围内")]
    accused = set(organ_ancestor_ids(organ))
    if any(p.accused_organ_id in accused for p in petitions):
        errors["petitions"] = [
            gettext("检举控告类信访事项不得交被检举控告的机关、单位督办（第三十条）")
        ]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        with unique(gettext(DUPLICATE)):  # the form's one-time key
            notice = SupervisionNotice.objects.create(
                office=office,
                organ=organ,
                reasons=reasons,
                facts=facts,
                listed=listed,
                number=document_number_next(organ_id=office.pk, code=NOTICE_CODE, year=today.year),
                issued_on=today,
                reply_due=due,
                issued_by=actor,
                issued_at=at,
                submission=submission or None,
            )
        SupervisionPetition.objects.bulk_create(
            SupervisionPetition(notice=notice, petition=p) for p in petitions
        )
        flagged = set(
            Petition.objects.filter(pk__in=ids, supervised=True).values_list("pk", flat=True)
        )
        for p in petitions:
            if p.pk not in flagged:
                petition_flag_set(
                    petition_id=p.pk,
                    flag=Flag.SUPERVISED,
                    on=True,
                    actor=actor,
                    at=at,
                    reason=notice.number,
                )
    return notice


def supervision_reply(
    *,
    actor: User,
    notice_id: int,
    reply: str,
    at: datetime | None = None,
) -> SupervisionNotice:
    """The supervised organ's written reply (Art. 40 para 4: 书面反馈), numbered by that organ.
    Only the organ's head (``Cap.SUPERVISION_REPLY``) of the supervised organ replies, once."""
    at = at or clock.now()
    with transaction.atomic():
        notice = (
            SupervisionNotice.objects.select_for_update(of=("self",))
            .filter(notice_scope(actor), pk=notice_id)
            .select_related("organ")
            .first()
        )
        if notice is None:
            raise NotFound()
        require(actor, Cap.SUPERVISION_REPLY)
        if actor.organ_id != notice.organ_id:
            raise Forbidden(gettext("只有被督办机关可以书面反馈"))
        if notice.status != NoticeStatus.OPEN:
            return notice  # a repeated post of the same reply: already recorded
        body = text(reply, limit=10000, field="reply")
        if not body:
            raise invalid({"reply": [gettext("请填写书面反馈的内容")]})
        today = clock.local_date(at)
        notice.reply = body
        notice.replied_on = today
        notice.replied_by = actor
        notice.reply_number = document_number_next(
            organ_id=notice.organ_id, code=REPLY_CODE, year=today.year
        )
        notice.status = NoticeStatus.REPLIED
        notice.save(update_fields=["reply", "replied_on", "replied_by", "reply_number", "status"])
        _supervision_end(notice=notice, actor=actor, at=at)
    return notice


def _supervision_end(*, notice: SupervisionNotice, actor: User, at: datetime) -> None:
    """The written reply ends the supervision (Art. 40 para 4): each petition of the notice
    loses the ``supervised`` flag unless another open notice still supervises it."""
    still = SupervisionPetition.objects.filter(notice__status=NoticeStatus.OPEN).values(
        "petition_id"
    )
    ending = (
        Petition.objects.filter(supervision_notices=notice, supervised=True)
        .exclude(pk__in=still)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(ending):
        petition_flag_set(
            petition_id=pk,
            flag=Flag.SUPERVISED,
            on=False,
            actor=actor,
            at=at,
            reason=notice.reply_number,
            ended_by=notice.number,
        )
