"""Reading policy matters and the petitions confirmed to be about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import (
    petition_queryset_for_organ_hints,
    petition_queryset_for_user,
)
from xinfang.petitions.workflow import STATE_LABELS, State
from xinfang.prevention.access import organ_scope
from xinfang.prevention.models import PolicyMatter


def policy_matters_for_user(*, user: User) -> QuerySet[PolicyMatter]:
    return (
        PolicyMatter.objects.filter(organ_scope(user))
        .select_related("organ")
        # Only petitions whose existence the user may be told: an accusation linked to the
        # accused organ's own policy matter must not show as a count (Art. 30 para 3).
        .annotate(
            # EXISTS per link, not IN (...): SQLite would read every petition first
            petition_count=Count(
                "links",
                filter=Exists(
                    petition_queryset_for_organ_hints(user=user).filter(
                        pk=OuterRef("links__petition")
                    )
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


def policy_matter_get_for_user(*, user: User, matter_id: int) -> PolicyMatter:
    m = PolicyMatter.objects.filter(organ_scope(user), pk=matter_id).select_related("organ").first()
    if m is None:
        raise NotFound()
    return m


@dataclass(frozen=True)
class LinkedPetition:
    id: int
    title: str
    state: str
    state_label: str
    next_due: date | None  # the nearest open statutory deadline of its own procedure


def policy_matter_petitions(
    *, user: User, matter: PolicyMatter
) -> tuple[list[LinkedPetition], int]:
    """The linked petitions the user may see, each with its own state and nearest open
    deadline, and how many other linked petitions, neither accusations nor confidential, the user
    may not see (counted, not shown)."""
    linked = matter.links.values("petition_id")
    # Counted among the hidden only where its existence may be told: never an accusation or a
    # confidential petition the user may not see (Art. 30 para 3, Art. 46(5)).
    total = petition_queryset_for_organ_hints(user=user).filter(pk__in=linked).count()
    rows = list(
        petition_queryset_for_user(user=user)
        .filter(pk__in=linked)
        .order_by("received_at", "pk")
        .values("id", "title", "state", "next_due")
    )
    out = [
        LinkedPetition(
            id=r["id"],
            title=r["title"],
            state=r["state"],
            state_label=str(STATE_LABELS[State(r["state"])]),
            next_due=r["next_due"],
        )
        for r in rows
    ]
    return out, total - len(out)


def policy_matter_suggestions(*, user: User, matter: PolicyMatter, limit: int = 10) -> list:
    """Petitions the same-matter feature finds like the matter's text, not yet linked to any
    policy matter: a suggestion for a person to confirm, never linked by itself."""
    try:
        from xinfang.insight.matters.selectors import same_matter_for_user

        hits = same_matter_for_user(
            user=user, title=matter.title, body=matter.description, limit=limit * 2, min_score=0.05
        )
    except Exception:  # the index is still being built, or no text at all: no suggestion
        return []
    from xinfang.prevention.models import PolicyMatterPetition

    taken = set(
        PolicyMatterPetition.objects.filter(petition_id__in=[h.id for h in hits]).values_list(
            "petition_id", flat=True
        )
    )
    return [h for h in hits if h.id not in taken][:limit]


@dataclass(frozen=True)
class HotSuggestion:
    """A hot issue (insight.hot) as a hint for policy matters: its label and words, how many of
    its petitions the user may see, and those not yet in any policy matter."""

    label: str
    terms: tuple[str, ...]
    size: int
    petitions: list[tuple[int, str]]  # (id, title), to confirm one by one


def _hot_rows(user: User) -> list:
    # for the staff who record policy matters and read petitions: every petition offered is one
    # they may read (filtered again below), so the hot-issue page's own right is not needed
    if not (user_can(user, Cap.PREVENTION_RECORD) and user_can(user, Cap.VIEW_PETITIONS)):
        return []
    try:
        from xinfang.insight.hot.views import hot_rows_cached

        return hot_rows_cached(user=user, gate=False)
    except Exception:  # too few petitions to group, or no text at all: no hint
        return []


def policy_hot_suggestions(
    *, user: User, matter: PolicyMatter | None = None, limit: int = 10
) -> list[HotSuggestion]:
    """Hot issues of the user's jurisdiction as hints (a person confirms every link). For a
    matter: the issues that share a petition or a word with it. Without one: the issues most of
    whose petitions are in no policy matter yet (candidates for a new one). Each issue's
    petitions are read again through the user's case gate, so an accusation the user may not
    see (the accused organ, staff it names: Art. 30 para 3) is never offered, nor counted."""
    from xinfang.prevention.models import PolicyMatterPetition

    rows = _hot_rows(user)
    if not rows:
        return []
    visible = dict(
        petition_queryset_for_user(user=user)
        .filter(pk__in={i for r in rows for i in r.member_ids})
        .values_list("pk", "title")
    )
    linked_any = set(
        PolicyMatterPetition.objects.filter(petition_id__in=list(visible)).values_list(
            "petition_id", flat=True
        )
    )
    mine = set(matter.links.values_list("petition_id", flat=True)) if matter is not None else set()
    text = f"{matter.title} {matter.description}" if matter is not None else ""
    out = []
    for r in rows:
        ids = [i for i in r.member_ids if i in visible]
        if not ids:
            continue
        free = [i for i in ids if i not in linked_any]
        if matter is not None:
            related = mine.intersection(ids) or any(t and t in text for t in r.terms)
            if not related or not free:
                continue
        elif len(free) * 2 < len(ids):  # mostly grouped already
            continue
        out.append(
            HotSuggestion(
                label=r.label,
                terms=tuple(r.terms),
                size=len(ids),
                petitions=[(i, visible[i]) for i in free[:limit]],
            )
        )
    return out[:5]
