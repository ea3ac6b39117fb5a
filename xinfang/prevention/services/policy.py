"""Policy matters (分类管理, regulation §10): many petitions about one policy problem (企业军转干部,
拆迁安置 …) grouped by a person's confirmation, the organ that owns the policy named, the policy
response recorded once. Each linked petition keeps its own lawful procedure and deadline: the
response is shown with it and used in its own answer, never instead of it."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.prevention.models import (
    LinkSource,
    PolicyMatter,
    PolicyMatterPetition,
    PolicyStatus,
    ResponseKind,
)
from xinfang.prevention.services._shared import ApplicationError, NotFound, gate, invalid, text


def policy_matter_create(
    *,
    actor: User,
    organ: Organ,
    title: str,
    description: str,
    submission: str | None = None,
    at: datetime | None = None,
) -> PolicyMatter:
    """Open a policy matter owned by ``organ`` (the organ that owns the policy)."""
    gate(actor, Cap.PREVENTION_RECORD, organ)
    at = at or clock.now()
    if submission:
        done = PolicyMatter.objects.filter(submission=submission, created_by=actor).first()
        if done is not None:
            return done
    title = text(title, limit=200, field="title")
    description = text(description, limit=10000, field="description")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [gettext("请填写政策问题")]
    if not description:
        errors["description"] = [gettext("请填写问题说明")]
    if errors:
        raise invalid(errors)
    return PolicyMatter.objects.create(
        organ=organ,
        title=title,
        description=description,
        created_by=actor,
        created_at=at,
        submission=submission or None,
    )


def _matter(matter_id: int) -> PolicyMatter:
    m = PolicyMatter.objects.select_related("organ").filter(pk=matter_id).first()
    if m is None:
        raise NotFound()
    return m


def policy_matter_link(
    *,
    actor: User,
    matter_id: int,
    tracking_code: str = "",
    petition_id: int | None = None,
    source: str = LinkSource.MANUAL,
    at: datetime | None = None,
) -> PolicyMatterPetition:
    """A person confirms that a petition (one the actor may see; by tracking code, or by id when
    confirming a suggestion) is about the policy matter. A
    petition belongs to one policy matter at most; confirming it again changes nothing."""
    at = at or clock.now()
    m = _matter(matter_id)
    gate(actor, Cap.PREVENTION_RECORD, m.organ)
    if source not in LinkSource.values:
        raise invalid({"source": [gettext("来源有误")]})
    code = ids.normalize_tracking_code(text(tracking_code, limit=40, field="tracking_code"))
    visible = petition_queryset_for_user(user=actor)
    if petition_id is not None:
        p = visible.filter(pk=petition_id).first()
    else:
        p = visible.filter(tracking_code=code).first() if code else None
    if p is None:
        raise invalid(
            {"tracking_code": [gettext("未找到该查询码的信访事项（须在本人可见范围内）")]}
        )
    existing = PolicyMatterPetition.objects.filter(petition=p).first()
    if existing is not None:
        if existing.matter_id == m.pk:
            return existing
        raise ApplicationError(
            gettext("该信访事项已归入另一个政策类问题"),
            fields={"tracking_code": [gettext("该信访事项已归入另一个政策类问题")]},
            status=409,
        )
    try:
        with transaction.atomic():
            return PolicyMatterPetition.objects.create(
                matter=m, petition=p, source=source, linked_by=actor, linked_at=at
            )
    except IntegrityError:  # a concurrent confirmation of the same petition
        raise ApplicationError(gettext("该信访事项已归入政策类问题"), status=409) from None


def policy_matter_respond(
    *,
    actor: User,
    matter_id: int,
    response_kind: str,
    response: str,
    on: date,
    at: datetime | None = None,
) -> PolicyMatter:
    """Record the policy response (a new rule, a fund, a measure). It may be revised (a later
    measure); every linked petition shows the latest with its own deadline."""
    at = at or clock.now()
    response = text(response, limit=20000, field="response")
    with transaction.atomic():
        m = (
            PolicyMatter.objects.select_for_update()
            .select_related("organ")
            .filter(pk=matter_id)
            .first()
        )
        if m is None:
            raise NotFound()
        gate(actor, Cap.PREVENTION_DECIDE, m.organ)
        errors: dict[str, list[str]] = {}
        if response_kind not in ResponseKind.values:
            errors["response_kind"] = [gettext("请选择政策回应方式")]
        if not response:
            errors["response"] = [gettext("请写明政策回应")]
        if on > clock.local_date(at):
            errors["on"] = [gettext("日期不能晚于今天")]
        if errors:
            raise invalid(errors)
        m.status = PolicyStatus.RESPONDED
        m.response_kind, m.response, m.responded_on = response_kind, response, on
        m.save(update_fields=["status", "response_kind", "response", "responded_on"])
    return m
