"""Reads for repeat petitions: possible same matters, the Art. 36(3) flag, the linked group,
and the number of matters for analysis.

Every petition shown goes through ``petition_queryset_for_user`` (the jurisdiction gate: an
accusation is never shown to the accused organ, nor to staff it names), after the index has
proposed candidates. Nothing here names petitioners: matches are about texts, and the flag
compares blind-index digests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xinfang.core.crypto import id_digest, phone_digest
from xinfang.directory.models import User
from xinfang.insight.matters.index import RepeatHit, repeat_hits, still_matches
from xinfang.insight.matters.services import matter_actor_may
from xinfang.insight.models import MatterLink
from xinfang.petitions.extensions import present
from xinfang.petitions.models import Party, PartyRole, Petition, PetitionEvent
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.petitions.workflow import STATE_LABELS, State

ART36_TEXT = "可能属于第三十六条第三款情形（同一事实和理由，复核后再次提出）——由工作人员确认"
_PERSON_ROLES = (PartyRole.PETITIONER, PartyRole.REPRESENTATIVE)


@dataclass(frozen=True)
class SameMatter:
    """A petition that may be about the same matter, as a staff member sees it."""

    id: int
    title: str
    received_at: datetime
    state: str
    state_label: str
    current_organ: str
    score: float
    why: tuple[str, ...]
    matter_id: int | None  # its current matter, if grouped


def _visible_hits(
    *, user: User, hits: list[RepeatHit], limit: int
) -> list[tuple[Petition, RepeatHit]]:
    if not hits:
        return []
    rows = {
        p.pk: p
        for p in petition_queryset_for_user(user=user)
        .filter(pk__in=[h.petition_id for h in hits])
        .exclude(state="voided")  # a voided registration is no earlier petition of anything
        .select_related("current_organ")
        .only("id", "title", "content", "received_at", "state", "current_organ__name")
    }
    out = []
    for h in hits:
        p = rows.get(h.petition_id)
        if p is not None and still_matches(h, p.title, p.content):
            out.append((p, h))
    return out[:limit]


def _active_matters(ids: list[int]) -> dict[int, int]:
    return dict(
        MatterLink.objects.filter(petition_id__in=ids, unlinked_at__isnull=True).values_list(
            "petition_id", "matter_id"
        )
    )


def same_matter_for_user(
    *,
    user: User,
    title: str,
    body: str,
    exclude_id: int | None = None,
    limit: int = 10,
    min_score: float | None = None,
    hits: list[RepeatHit] | None = None,
) -> list[SameMatter]:
    """Petitions the user may see whose text is like this one, best first, with the words
    they share (any petitioner, any channel)."""
    floor = settings.XINFANG_REPEAT_MIN_SCORE if min_score is None else min_score
    if hits is None:
        hits = repeat_hits(title=title, body=body, k=limit * 3, min_score=floor, exclude=exclude_id)
    pairs = _visible_hits(user=user, hits=[h for h in hits if h.score >= floor], limit=limit)
    grouped = _active_matters([p.pk for p, _ in pairs])
    return [_same_matter(p, h, grouped.get(p.pk)) for p, h in pairs]


def _same_matter(p: Petition, h: RepeatHit, matter_id: int | None) -> SameMatter:
    return SameMatter(
        id=p.pk,
        title=p.title,
        received_at=p.received_at,
        state=p.state,
        state_label=str(STATE_LABELS[State(p.state)]),
        current_organ=p.current_organ.name,
        score=h.score,
        why=h.why,
        matter_id=matter_id,
    )


def _ended_by_re_review(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    """Petitions whose procedure ended with a re-review opinion (TERMINATED, possibly CLOSED
    since): those for which Art. 36 para 3 bars the same facts and reasons."""
    ended = PetitionEvent.objects.filter(to_state=State.TERMINATED).values("petition_id")
    return qs.filter(pk__in=ended)


def art36_flags_for_user(
    *,
    user: User,
    title: str,
    body: str,
    phone_digests: list[str] = (),  # type: ignore[assignment]
    id_digests: list[str] = (),  # type: ignore[assignment]
    exclude_id: int | None = None,
) -> list[SameMatter]:
    """Earlier petitions of the same person (same phone or identity digest) ended by
    re-review whose text is very like this one: a hint for staff, never a decision."""
    cond = Q()
    if phone_digests := [d for d in phone_digests if d]:
        cond |= Q(phone_digest__in=phone_digests)
    if id_digests := [d for d in id_digests if d]:
        cond |= Q(id_digest__in=id_digests)
    if not cond:
        return []
    return _art36_flags(user=user, title=title, body=body, same_person=cond, exclude_id=exclude_id)


def _art36_flags(
    *,
    user: User,
    title: str,
    body: str,
    same_person: Q,
    exclude_id: int | None,
    hits: list[RepeatHit] | None = None,
) -> list[SameMatter]:
    threshold = settings.XINFANG_ART36_FLAG_SCORE
    if hits is not None:
        hits = [h for h in hits if h.score >= threshold]
        if not hits:  # nothing very similar: no query at all
            return []
    persons = Party.objects.filter(same_person, role__in=_PERSON_ROLES).values("petition_id")
    ended = _ended_by_re_review(petition_queryset_for_user(user=user).filter(pk__in=persons))
    if exclude_id:
        ended = ended.exclude(pk=exclude_id)
    candidates = set(ended.values_list("pk", flat=True)[:200])
    if not candidates:
        return []
    if hits is None:
        hits = repeat_hits(title=title, body=body, k=200, min_score=threshold, exclude=exclude_id)
    hits = [h for h in hits if h.petition_id in candidates]
    return [_same_matter(p, h, None) for p, h in _visible_hits(user=user, hits=hits, limit=5)]


def art36_flags_at_intake(
    *, user: User, title: str, body: str, phone: str = "", id_number: str = ""
) -> list[SameMatter]:
    """The flag for a petition being registered (phone and identity number as typed)."""
    phone = "".join(ch for ch in phone if ch.isdigit())
    return art36_flags_for_user(
        user=user,
        title=title,
        body=body,
        phone_digests=[phone_digest(phone)] if len(phone) >= 7 else [],
        id_digests=[id_digest(id_number.strip())] if len(id_number.strip()) >= 15 else [],
    )


def matter_group_for_user(*, user: User, petition_id: int) -> dict | None:
    """The matter the petition is grouped in: the other members the user may see (members the
    user may not see are left out, uncounted), and when and why it was linked."""
    link = (
        MatterLink.objects.filter(petition_id=petition_id, unlinked_at__isnull=True)
        .select_related("linked_by")
        .first()
    )
    if link is None:
        return None
    others = (
        MatterLink.objects.filter(matter_id=link.matter_id, unlinked_at__isnull=True)
        .exclude(petition_id=petition_id)
        .values("petition_id")
    )
    members = list(
        petition_queryset_for_user(user=user)
        .filter(pk__in=others)
        .order_by("received_at", "pk")
        .values("id", "title", "received_at", "state")
    )
    for m in members:
        m["state_label"] = str(STATE_LABELS[State(m["state"])])
    return {
        "matter_id": link.matter_id,
        "linked_at": link.linked_at,
        "linked_by": str(link.linked_by) if link.linked_by else "",
        "reason": link.reason,
        "members": members,
    }


def matters_panel_for_user(*, user: User, petition: Petition) -> dict:
    """Everything the petition page's section "可能是同一事项" shows (the petition is one the
    user may already see: the page got it through the gate). One index query serves the list
    and the flag; the flag's queries run only when a petition is very similar."""
    listed, flagged = settings.XINFANG_REPEAT_MIN_SCORE, settings.XINFANG_ART36_FLAG_SCORE
    hits = repeat_hits(
        title=petition.title,
        body=petition.content,
        k=50,
        min_score=min(listed, flagged),
        exclude=petition.pk,
    )
    group = (
        matter_group_for_user(user=user, petition_id=petition.pk)
        if present(petition, "matter_link") is not False  # linked at all (the page read it)
        else None
    )
    same = same_matter_for_user(
        user=user, title=petition.title, body=petition.content, exclude_id=petition.pk, hits=hits
    )
    if group:
        in_group = {m["id"] for m in group["members"]}
        same = [s for s in same if s.id not in in_group]
    mine = Party.objects.filter(petition=petition, role__in=_PERSON_ROLES)
    same_person = Q(phone_digest__in=mine.exclude(phone_digest="").values("phone_digest")) | Q(
        id_digest__in=mine.exclude(id_digest="").values("id_digest")
    )
    return {
        "petition_id": petition.pk,
        "same": same,
        "group": group,
        "flags": _art36_flags(
            user=user,
            title=petition.title,
            body=petition.content,
            same_person=same_person,
            exclude_id=petition.pk,
            hits=hits,
        ),
        "flag_text": ART36_TEXT,
        "may_link": matter_actor_may(petition=petition, actor=user) is None,
    }


def matters_count(petitions: QuerySet[Petition], total: int | None = None) -> int:
    """How many matters these petitions are: a linked group counts once (the members of a
    group inside the set), every other petition once. ``total``: their number, if known."""
    total = petitions.count() if total is None else total
    # EXISTS per link, not ``petition_id IN (petitions)``: SQLite builds an IN list by reading
    # every petition of the set (the whole table for a province: ~1 s at 10^6), while the links
    # are few; PostgreSQL plans both as the same semi-join
    links = (
        MatterLink.objects.filter(unlinked_at__isnull=True)
        .filter(Exists(petitions.filter(pk=OuterRef("petition_id"))))
        .aggregate(n=Count("id"), m=Count("matter_id", distinct=True))
    )
    return total - links["n"] + links["m"]
