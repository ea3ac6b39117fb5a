"""Reads of the insight app: topics, a petition's topic decision, responsible-organ hints."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from xinfang.core.inputs import is_digits
from xinfang.directory.models import Organ, Region, User
from xinfang.directory.permissions import user_actions
from xinfang.insight.models import Topic, TopicDecision
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_organ_hints

#: How many recent decided petitions of a topic in a region are counted for the organ hint
#: (a bound that keeps the hint fast on a table of millions; recent practice is what counts).
ORGAN_HINT_SAMPLE = 2000


@dataclass(frozen=True)
class TopicChoice:
    topic: Topic
    depth: int  # 1 = first level

    @property
    def label(self) -> str:
        return ("　" * (self.depth - 1)) + self.topic.label


def topic_choices(*, include: Topic | None = None) -> list[TopicChoice]:
    """Active topics as a tree, depth-first in sort order (one query). ``include`` is listed
    even when inactive (the current topic of a petition stays visible)."""
    rows = list(Topic.objects.all())
    by_parent: dict[int | None, list[Topic]] = {}
    for t in rows:
        by_parent.setdefault(t.parent_id, []).append(t)
    out: list[TopicChoice] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for t in by_parent.get(parent_id, []):
            if t.is_active or (include is not None and t.pk == include.pk):
                out.append(TopicChoice(t, depth))
                walk(t.pk, depth + 1)

    walk(None, 1)
    return out


def topic_for_label(*, label: str) -> Topic | None:
    """The active topic a model label names (a name; first levels win over deeper ones)."""
    label = (label or "").strip()
    if not label:
        return None
    name = label.split(" / ")[-1]
    found = [t for t in Topic.objects.filter(name=name, is_active=True).select_related("parent")]
    found = [t for t in found if label in (t.name, t.full_name)]
    found.sort(key=lambda t: (t.depth, t.sort_order, t.pk))
    return found[0] if found else None


def topic_get(*, topic_id: int | str | None) -> Topic | None:
    if topic_id in (None, "") or not is_digits(str(topic_id)):
        return None
    return Topic.objects.filter(pk=int(topic_id)).first()


def topic_decision_for(*, petition: Petition) -> TopicDecision | None:
    return (
        TopicDecision.objects.filter(petition=petition)
        .select_related("topic__parent__parent", "decided_by", "decided_by_organ")
        .first()
    )


def user_may_change_topic(*, user: User, petition: Petition) -> bool:
    """Staff of the organ that holds or handles the petition, with a handling role."""
    organ_id = getattr(user, "organ_id", None)
    if organ_id is None:
        return False
    if organ_id not in (petition.current_organ_id, petition.handling_organ_id):
        return False
    return bool(user_actions(user))


def topic_training_rows() -> list[dict[str, str]]:
    """Petitions whose topic a person decided: (id, title, body, label = the topic's name).
    Decisions on topics since deactivated are left out (the model must not suggest them)."""
    qs = TopicDecision.objects.filter(topic__is_active=True).values_list(
        "petition_id", "petition__title", "petition__content", "topic__name"
    )
    return [
        {"id": str(pk), "title": t, "body": b, "label": name} for pk, t, b, name in qs.iterator()
    ]


# --- the responsible-organ hint ---------------------------------------------------------------


@dataclass(frozen=True)
class OrganHint:
    organ: Organ
    count: int
    share: float  # of the counted petitions of the topic in ``region``


@dataclass(frozen=True)
class OrganHints:
    region: Region | None  # the region whose history the hint counts (the matter's or a parent)
    fallback: bool  # True when the matter's own region had no history and a parent's was used
    total: int
    items: list[OrganHint]


def _prefix(code: str) -> str:
    """Codes of a region and all regions under it start with this (990100 -> 9901)."""
    if len(code) != 6:
        return code
    p = code.rstrip("0")
    return p + "0" * (len(p) % 2)


def _topic_ids(topic: Topic) -> list[int]:
    """The topic and its sub-topics (at most three levels)."""
    ids = [topic.pk]
    frontier = [topic.pk]
    for _ in range(Topic.MAX_DEPTH):
        frontier = list(Topic.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        if not frontier:
            break
        ids += frontier
    return ids


def organ_hints_for(
    *, user: User, topic: Topic | None, region_code: str, limit: int = 3
) -> OrganHints:
    """The organs that most often handled petitions of ``topic`` about matters in the region,
    with their share: first in the matter's own region (and the regions under it), then, when
    that has no history, in its parent regions. The organ counted is the handling organ, or
    the organ holding the petition when none handles it yet (after a transfer). Organs only,
    never people.

    Only the petitions of ``petition_queryset_for_organ_hints`` are counted (an accusation or a
    confidential petition only for a user who may see it): a count that changed when an
    accusation against the user's organ was registered would tell the accused that it exists
    (Art. 30 para 3, Art. 46(5))."""
    empty = OrganHints(None, False, 0, [])
    if topic is None or not region_code:
        return empty
    region = Region.objects.filter(pk=region_code).select_related("parent__parent__parent").first()
    if region is None:
        return empty
    topic_ids = _topic_ids(topic)
    visible = petition_queryset_for_organ_hints(user=user).values("pk")
    node, first = region, True
    while node is not None:
        prefix = _prefix(node.code)
        recent = (
            TopicDecision.objects.filter(
                topic_id__in=topic_ids,
                petition__region__code__startswith=prefix,
                petition_id__in=visible,
            )
            .order_by("-decided_at")
            .values("petition_id")[:ORGAN_HINT_SAMPLE]
        )
        counts = list(
            Petition.objects.filter(pk__in=recent)
            .annotate(org=Coalesce(F("handling_organ_id"), F("current_organ_id")))
            .values("org")
            .annotate(n=Count("pk"))
            .order_by("-n", "org")
        )
        total = sum(c["n"] for c in counts)
        if total:
            top = counts[:limit]
            organs = Organ.objects.filter(is_active=True).in_bulk([c["org"] for c in top])
            items = [
                OrganHint(organs[c["org"]], c["n"], c["n"] / total)
                for c in top
                if c["org"] in organs
            ]
            return OrganHints(node, not first, total, items)
        node, first = node.parent, False
    return empty
