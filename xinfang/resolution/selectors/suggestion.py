"""People's suggestions as staff may see them (``access.petition_record_scope``), and the
public list of adopted suggestions: read from the suggestion's own public fields only (subject,
organ, date, decision, reply summary, a consented credit), never the petition or its parties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from xinfang.core.errors import NotFound
from xinfang.core.masking import mask_name, mask_names_in, mask_text
from xinfang.directory.models import User
from xinfang.petitions.models import Party
from xinfang.petitions.selectors import (
    identity_restricted,
    petition_queryset_for_user,
    user_may_see_identity,
)
from xinfang.resolution.access import petition_record_scope
from xinfang.resolution.models import (
    ADOPTED,
    Mediation,
    Suggestion,
)
from xinfang.resolution.selectors.supervision import PAGE, Page, keyset_page


def suggestion_list_for_user(
    *,
    user: User,
    status: str = "",
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    qs = (
        Suggestion.objects.filter(petition_record_scope(user))
        .select_related("organ", "petition")
        .only(
            "pk",
            "status",
            "subject",
            "public",
            "decided_on",
            "organ__name",
            "petition__tracking_code",
        )
    )
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def suggestion_get_for_user(*, user: User, suggestion_id: int) -> Suggestion:
    s = (
        Suggestion.objects.filter(petition_record_scope(user), pk=suggestion_id)
        .select_related("organ", "petition", "reply_event")
        .prefetch_related("recognitions")
        .first()
    )
    if s is None:
        raise NotFound(gettext("未找到该建议，或不在您的查看范围内"))
    return s


def suggestion_decision_url(*, petition: Any) -> str:
    """Where a people's suggestion is decided and answered (Art. 29; the plain ``reply`` is
    refused for it, ``hooks.reply_to_a_suggestion_only_through_its_decision``): its study, or
    the form that opens one for the petition."""
    pk = Suggestion.objects.filter(petition_id=petition.pk).values_list("pk", flat=True).first()
    if pk is not None:
        return reverse("resolution:suggestion", args=[pk])
    query = urlencode({"petition": petition.tracking_code})
    return f"{reverse('resolution:suggestion_new')}?{query}"


@dataclass(frozen=True)
class PublicSuggestion:
    """What the public list shows of one adopted suggestion (and nothing else)."""

    pk: int
    subject: str
    organ: str
    decided_on: date
    status: str
    reply_summary: str
    credit_name: str


def suggestion_public_list(*, cursor: int | None = None) -> Page:
    """The adopted (or partly adopted) suggestions an organ chose to list, newest first."""
    qs = Suggestion.objects.filter(public=True, status__in=ADOPTED, decided_on__isnull=False)
    if cursor:
        qs = qs.filter(pk__lt=cursor)
    rows = [
        PublicSuggestion(
            pk=pk,
            subject=subject,
            organ=organ,
            decided_on=decided_on,
            status=status,
            reply_summary=summary,
            credit_name=credit,
        )
        for pk, subject, organ, decided_on, status, summary, credit in qs.order_by(
            "-pk"
        ).values_list(
            "pk", "subject", "organ__name", "decided_on", "status", "reply_summary", "credit_name"
        )[: PAGE + 1]
    ]
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return Page(rows=rows, next_cursor=rows[-1].pk if more else None)


def mediation_list_for_user(
    *,
    user: User,
    status: str = "",
    cursor: int | None = None,
    limit: int = PAGE,
    counted: bool = False,
) -> Page:
    qs = (
        Mediation.objects.filter(petition_record_scope(user))
        .select_related("organ", "petition")
        .only(
            "pk",
            "status",
            "kind",
            "held_on",
            "organ__name",
            "petition__tracking_code",
        )
    )
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, counted=counted)


def mediation_get_for_user(*, user: User, mediation_id: int) -> Mediation:
    m = (
        Mediation.objects.filter(petition_record_scope(user), pk=mediation_id)
        .select_related("organ", "petition", "settle_event")
        .prefetch_related("signers")
        .first()
    )
    if m is None:
        raise NotFound(gettext("未找到该调解记录，或不在您的查看范围内"))
    # the parties' names as the petition page shows them: of a confidential petition or an
    # accusation only the organ handling it now sees who they are (Arts. 30 para 3, 46(5))
    m.names_hidden = identity_restricted(m.petition) and not user_may_see_identity(
        user=user, petition=m.petition
    )
    # a record in the user's jurisdiction over a petition outside the petitions gate: listed,
    # but none of its texts - the terms, a refusal's reason - and the signers only masked
    m.shown_petition = (
        petition_queryset_for_user(user=user)
        .filter(pk=m.petition_id)
        .only("pk", "title", "tracking_code", "state", "current_organ_id", "is_anonymous")
        .first()
    )
    m.petition_shown = m.shown_petition is not None
    masked = m.names_hidden or not m.petition_shown
    for x in m.signers.all():
        x.shown_name = mask_name(x.name) if masked else x.name
    if not m.petition_shown:
        m.shown_agreed = m.shown_failed_reason = ""
        return m
    # the agreement's terms and a refusal's reason name the parties too: masked alike, with
    # any identity number or phone in them, as the 台账 masks them (Art. 46(5))
    m.shown_agreed = mediation_text(m, m.agreed, hidden=m.names_hidden)
    m.shown_failed_reason = mediation_text(m, m.failed_reason, hidden=m.names_hidden)
    return m


def mediation_text(m: Mediation, text: str, *, hidden: bool) -> str:
    """A mediation's free text (terms, a refusal's reason) as a reader sees it: where the reader
    sees the parties masked (``hidden``), their names, and any identity number or phone, masked."""
    if not hidden:
        return text
    return mask_text(mask_names_in(text, mediation_names(m)))


def mediation_names(m: Mediation) -> list[str]:
    """Who a mediation's texts may name: its signers and the petition's parties (persons;
    an organisation's name is not personal data, but a signer's is masked whatever it is,
    as the signature table shows it)."""
    parties = Party.objects.filter(petition_id=m.petition_id, is_organisation=False)
    return [x.name for x in m.signers.all()] + list(parties.values_list("name", flat=True))
