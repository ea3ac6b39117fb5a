"""What Art. 41 asks of the annual report beyond the volumes and fields (regulation.md §9.3):

1. **the organs most complained about** (被投诉较多的机关或者单位, Art. 41 item 1): organs named
   as accused in the accusations (检举控告类, Art. 30) received in the period. About organs,
   never persons: a named staff member is never counted or shown. Counted from the rollup
   (``PetitionTally``, keyed by the accused organ) under the statistics gate, so an accused
   organ (and an organ below it) never sees an accusation against it, not even as a count, and
   the petitions naming the user are subtracted (Art. 30 para 3, Art. 46(5)). Art. 41 asks for
   the organs complained about *most*, so these lines alone are ordered by their count; regions
   are never ranked (regulation.md §11) and no other figure is.
2. **transfers, assignments and supervision** (转送、交办、督办, Art. 41 item 2, Arts. 22, 40):
   the transfer and assignment steps taken in the period over the petitions the user may
   count (from the rollup ``DispatchTally``, as of the last ``xinfang tick``); the supervision notices issued in the period by offices or to organs of the user's
   jurisdiction, with their written replies (on time or late) and listed supervision (挂牌).
   A notice that concerns a petition hidden from the user is not counted (as
   ``resolution.access.notice_scope`` hides it).
3. **proposals and whether they were adopted** (政策性建议及采纳情况, Art. 41 item 3): the policy
   matters (``prevention.PolicyMatter``: the policy problem behind many petitions, put to the
   organ that owns the policy) opened in the period for organs of the jurisdiction, and those
   the organ answered with a rule, a fund or a measure.

The same functions feed the trends page and the report, so their numbers agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext

from xinfang.analytics.dispatch import DISPATCH
from xinfang.analytics.models import DispatchAsOf, DispatchNamed, DispatchTally, PetitionTally
from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import (
    petitions_naming,
    statistics_scope,
)
from xinfang.petitions.selectors.access import accusation_exclusions, organs_within_q
from xinfang.petitions.workflow import ACTION_LABELS, State

#: How many organs the "most complained about" list names (Art. 41 item 1).
TOP_ORGANS = 10


@dataclass(frozen=True)
class OrganCount:
    organ_id: int
    organ: str
    n: int


@dataclass(frozen=True)
class Supervision:
    issued: int
    listed: int  # 挂牌督办
    replied: int
    replied_late: int  # replied after the reply date
    open: int
    open_overdue: int  # no reply and the reply date has passed (as of today)


@dataclass(frozen=True)
class Proposal:
    title: str
    organ: str
    status: str
    responded_on: date | None


@dataclass(frozen=True)
class Accountability:
    complained: list[OrganCount]  # the TOP_ORGANS most complained about, most first
    complained_total: int  # accusations naming an organ, all organs
    dispatch: list[tuple[str, str, int]]  # (action, label, steps)
    dispatch_as_of: datetime | None  # when they were counted (hourly)
    supervision: Supervision
    proposals: list[Proposal]
    proposals_adopted: int


def _month_end(m: date) -> date:
    return (m.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def complained_organs(
    *, user: User, month_from: date | None, month_to: date | None
) -> tuple[list[OrganCount], int]:
    """The organs accusations received in the months name, most first (Art. 41 item 1)."""
    scope = statistics_scope(user=user)
    if scope is None:
        return [], 0
    tally = PetitionTally.objects.filter(scope).exclude(accused_organ_id=0)
    named = (
        petitions_naming(user=user)
        .filter(scope, accused_organ__isnull=False)
        .exclude(state=State.VOIDED)  # a voided registration counts nowhere (issue 12)
    )
    if month_from:
        tally = tally.filter(month__gte=month_from)
    if month_to:
        tally = tally.filter(month__lte=month_to)
    named = named.filter(
        clock.on_local_days("received_at", month_from, _month_end(month_to) if month_to else None)
    )
    counts: Counter[int] = Counter()
    for r in tally.values("accused_organ_id").annotate(k=Sum("n")).order_by():
        counts[r["accused_organ_id"]] += r["k"]
    for r in named.values("accused_organ_id").annotate(k=Count("id")).order_by():
        counts[r["accused_organ_id"]] -= r["k"]
    counts = +counts
    organs = dict(
        (pk, (name, path))
        for pk, name, path in Organ.objects.filter(pk__in=list(counts)).values_list(
            "pk", "name", "path"
        )
    )
    # most complained first (what Art. 41 asks); equal counts in the order of the organ tree
    top = sorted(counts, key=lambda k: (-counts[k], organs.get(k, ("", ""))[1], k))[:TOP_ORGANS]
    lines = [OrganCount(k, organs.get(k, (str(k), ""))[0], counts[k]) for k in top]
    return lines, sum(counts.values())


def dispatch_counts(
    *, user: User, month_from: date | None, month_to: date | None
) -> list[tuple[str, str, int]]:
    """Transfer and assignment steps taken in the months on petitions the user may count: the
    rollup (``DispatchTally``) under the statistics scope, less the steps the same rebuild or
    fold counted on petitions that name the user (``DispatchNamed``, same keys, written in the
    same transaction): a petition that moved, or a step taken, since the last fold changes
    neither side (Art. 30 para 3)."""
    got: Counter[str] = Counter()
    scope = statistics_scope(user=user)
    if scope is not None:
        for model, sign in ((DispatchTally, 1), (DispatchNamed, -1)):
            tally = model.objects.filter(scope)
            if model is DispatchNamed:
                tally = tally.filter(user_id=user.pk)
            if month_from:
                tally = tally.filter(month__gte=month_from)
            if month_to:
                tally = tally.filter(month__lte=month_to)
            for r in tally.values("action").annotate(k=Sum("n")).order_by():
                got[r["action"]] += sign * r["k"]
    return [(a.value, str(ACTION_LABELS[a]), max(0, got[a.value])) for a in DISPATCH]


def dispatch_as_of() -> datetime | None:
    """When the transfers and assignments were last counted (the figures' as-of time)."""
    return DispatchAsOf.objects.values_list("counted_at", flat=True).first()


def _notices(user: User):  # type: ignore[no-untyped-def]
    """Notices issued by an office of the user's jurisdiction or to one of its organs, less
    those concerning a petition the user may never see (Art. 30 para 3)."""
    from xinfang.petitions.models import Petition
    from xinfang.resolution.models import SupervisionNotice, SupervisionPetition

    organ = user.organ
    if organ is None:
        return SupervisionNotice.objects.none()
    hidden = Petition.objects.exclude(accusation_exclusions(user=user)).values("pk")
    accusing = SupervisionPetition.objects.filter(petition__in=hidden).values("notice_id")
    return SupervisionNotice.objects.filter(
        organs_within_q(organ, "organ") | organs_within_q(organ, "office")
    ).exclude(pk__in=accusing)


def supervision_counts(
    *, user: User, month_from: date | None, month_to: date | None, today: date
) -> Supervision:
    qs = _notices(user)
    if month_from:
        qs = qs.filter(issued_on__gte=month_from)
    if month_to:
        qs = qs.filter(issued_on__lte=_month_end(month_to))
    got = qs.aggregate(
        issued=Count("id"),
        listed=Count("id", filter=Q(listed=True)),
        replied=Count("id", filter=Q(status="replied")),
        replied_late=Count("id", filter=Q(status="replied", replied_on__gt=F("reply_due"))),
        open=Count("id", filter=Q(status="open")),
        open_overdue=Count("id", filter=Q(status="open", reply_due__lt=today)),
    )
    return Supervision(**{k: v or 0 for k, v in got.items()})


def proposals(
    *, user: User, month_from: date | None, month_to: date | None
) -> tuple[list[Proposal], int]:
    """Policy matters opened in the months for organs of the user's jurisdiction, oldest
    first, and how many of them the owning organ answered (adopted)."""
    from xinfang.prevention.models import PolicyMatter, PolicyStatus

    organ = user.organ
    if organ is None:
        return [], 0
    qs = PolicyMatter.objects.filter(organs_within_q(organ, "organ")).filter(
        clock.on_local_days("created_at", month_from, _month_end(month_to) if month_to else None)
    )
    labels = dict(PolicyStatus.choices)
    got = list(
        qs.order_by("created_at", "id").values_list("title", "organ__name", "status", "responded_on")
    )
    rows = [Proposal(t, name, gettext(str(labels.get(st, st))), on) for t, name, st, on in got]
    return rows, sum(1 for _, _, st, _ in got if st == PolicyStatus.RESPONDED)


def accountability_for_user(
    *, user: User, month_from: date | None, month_to: date | None, today: date | None = None
) -> Accountability:
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    complained, total = complained_organs(user=user, month_from=month_from, month_to=month_to)
    props, adopted = proposals(user=user, month_from=month_from, month_to=month_to)
    return Accountability(
        complained=complained,
        complained_total=total,
        dispatch=dispatch_counts(user=user, month_from=month_from, month_to=month_to),
        dispatch_as_of=dispatch_as_of(),
        supervision=supervision_counts(
            user=user, month_from=month_from, month_to=month_to, today=today or clock.today()
        ),
        proposals=props,
        proposals_adopted=adopted,
    )
