"""Services: group petitions into one matter (重信重访归并), reversibly.

Linking only groups. It never changes either petition's state, thread, deadlines, notices,
answers or evaluations: each petition stays its own file with its own procedure. Whether a new
petition repeats one ended by re-review (Art. 36 para 3) stays the decision of the existing
workflow step ``not_accept``, taken by a person.

Who may link or unlink: staff of the organ that holds the petition now, with a role that may
act on petitions, not named by it (the same gate as naming the accused); the other petition must
be one they can see. Every change is audited (``matter.link`` / ``matter.unlink``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import user_actions
from xinfang.insight.models import Matter, MatterLink
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_names_user, petition_queryset_for_user

_NOT_FOUND = gettext_noop("未找到该信访事项，或不在您的查看范围内")


def matter_actor_may(*, petition: Petition, actor: User) -> str | None:
    """Why ``actor`` may not group ``petition`` now, or None when they may."""
    if actor.organ_id is None or actor.organ_id != petition.current_organ_id:
        return gettext("该信访事项不在本机关办理")
    if not user_actions(actor):
        return gettext("您的角色不能执行此操作")
    return None


def _locked(actor: User, ids: list[int]) -> dict[int, Petition]:
    """The petitions, locked in id order, if the actor can see each; else NotFound."""
    visible = petition_queryset_for_user(user=actor).filter(pk__in=ids)
    rows = {
        p.pk: p
        for p in Petition.objects.select_for_update(of=("self",))
        .filter(pk__in=visible.values("pk"))
        .order_by("pk")
    }
    if any(i not in rows for i in ids):
        raise NotFound(gettext(_NOT_FOUND))
    for p in rows.values():
        if petition_names_user(petition=p, user=actor):
            raise NotFound(gettext(_NOT_FOUND))
    return rows


def _active(petition_id: int) -> MatterLink | None:
    return (
        MatterLink.objects.select_for_update()
        .filter(petition_id=petition_id, unlinked_at__isnull=True)
        .first()
    )


def _gate(petition: Petition, actor: User) -> None:
    if (why := matter_actor_may(petition=petition, actor=actor)) is not None:
        raise Forbidden(why)


def matter_link(
    *, petition_id: int, other_id: int, actor: User, reason: str, at: datetime | None = None
) -> Matter:
    """Put ``petition`` and ``other`` into one matter (the other's matter, the petition's, or a
    new one). Refused when both are already grouped in different matters: unlink first."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(gettext("请填写归并理由"), fields={"reason": [gettext("必填")]})
    if petition_id == other_id:
        raise ApplicationError(gettext("不能与本件自身归并"))
    at = at or clock.now()
    with transaction.atomic():
        rows = _locked(actor, sorted({petition_id, other_id}))
        petition, other = rows[petition_id], rows[other_id]
        _gate(petition, actor)
        mine, theirs = _active(petition.pk), _active(other.pk)
        if mine and theirs:
            if mine.matter_id == theirs.matter_id:
                raise ApplicationError(gettext("两件信访已在同一事项中"))
            raise ApplicationError(gettext("另一件信访已归入其他事项，请先解除该归并"))
        if mine or theirs:
            matter = (mine or theirs).matter  # type: ignore[union-attr]
        else:
            matter = Matter.objects.create(created_at=at, created_by=actor)
        new = [p for p, link in ((petition, mine), (other, theirs)) if link is None]
        for p in new:
            MatterLink.objects.create(
                matter=matter, petition=p, linked_by=actor, linked_at=at, reason=reason
            )
        audit_record(
            kind="matter.link",
            actor=actor,
            object_type="petition",
            object_id=petition.pk,
            data={
                "matter": matter.pk,
                "other": other.pk,
                "added": [p.pk for p in new],
                "reason": reason,
            },
            at=at,
        )
    return matter


def matter_unlink(
    *, petition_id: int, actor: User, reason: str, at: datetime | None = None
) -> None:
    """Take ``petition`` out of its matter. A matter left with one petition is dissolved too
    (a group of one groups nothing), so linking and then unlinking restores the earlier state."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(gettext("请填写解除理由"), fields={"reason": [gettext("必填")]})
    at = at or clock.now()
    with transaction.atomic():
        petition = _locked(actor, [petition_id])[petition_id]
        _gate(petition, actor)
        link = _active(petition.pk)
        if link is None:
            raise ApplicationError(gettext("该信访未归入任何事项"))
        rest = list(
            MatterLink.objects.select_for_update()
            .filter(matter_id=link.matter_id, unlinked_at__isnull=True)
            .exclude(pk=link.pk)
        )
        closing = [link] + (rest if len(rest) == 1 else [])
        for x in closing:
            x.unlinked_by, x.unlinked_at, x.unlink_reason = actor, at, reason
            x.save(update_fields=["unlinked_by", "unlinked_at", "unlink_reason"])
        audit_record(
            kind="matter.unlink",
            actor=actor,
            object_type="petition",
            object_id=petition.pk,
            data={
                "matter": link.matter_id,
                "removed": [x.petition_id for x in closing],
                "reason": reason,
            },
            at=at,
        )
