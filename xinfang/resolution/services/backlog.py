"""Backlog cases (积案化解): proposed by a criterion (``backlog_rules.py``) or by a person,
confirmed or rejected by a person, then worked off with a leader in charge (Art. 18 para 2), a
plan, milestones and progress entries, and closed out. While a case is open the petition
carries the ``backlog`` flag (set and cleared through ``petitions.services.petition_flag_set``).

Writers need ``Cap.BACKLOG_MANAGE`` and the case within their scope (``access.backlog_scope``);
a case outside it is a 404, the same as one that does not exist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.flags import Flag
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.services import petition_flag_set
from xinfang.petitions.workflow import Action, State
from xinfang.resolution.access import backlog_scope
from xinfang.resolution.backlog_rules import Criterion, Facts, Kind
from xinfang.resolution.models import (
    BacklogCase,
    BacklogCriterion,
    BacklogMilestone,
    BacklogProgress,
    CaseStatus,
)
from xinfang.resolution.services._shared import NotFound, invalid, record_for_update, text

CHUNK = 2000


def _criteria() -> list[Criterion]:
    out = []
    for kind, n in BacklogCriterion.objects.filter(is_active=True).values_list("kind", "threshold"):
        if kind in {k.value for k in Kind} and n >= 1:
            out.append(Criterion(Kind(kind), n))
    return out


#: How far a chain of petitions linked as the same matter (``repeat_of``) is followed.
MAX_CHAIN = 64


def _raised_after_re_review() -> dict[int, int]:
    """复查复核终结后仍反映: for each matter with a re-review opinion issued (Art. 36 para 3), the
    petitions of that matter registered after its latest opinion; keyed by the latest of them
    still open (the one to propose), valued by how many there are.

    A matter is a tree of petitions linked by ``repeat_of``: a registrar links a new letter to
    whichever earlier petition of the matter they find (often the latest, not the re-reviewed
    one), and the re-reviewed petition may itself be a repeat of an older one. So each
    re-reviewed petition is followed up to its matter's first petition, and the matter's later
    petitions are found from there, level by level. The matters with an opinion are few."""
    ended = dict(
        PetitionEvent.objects.filter(action=Action.DECIDE_RE_REVIEW)
        .values("petition_id")
        .annotate(on=Max("occurred_at"))
        .values_list("petition_id", "on")
    )
    if not ended:
        return {}
    # up: each re-reviewed petition to the first petition of its matter
    root_of = {pk: pk for pk in ended}
    frontier = set(ended)
    for _ in range(MAX_CHAIN):
        parents = dict(
            Petition.objects.filter(pk__in=frontier, repeat_of__isnull=False).values_list(
                "pk", "repeat_of_id"
            )
        )
        if not parents:
            break
        root_of = {k: parents.get(r, r) for k, r in root_of.items()}
        frontier = set(parents.values())
    opinion: dict[int, Any] = {}  # matter (its first petition) -> the latest re-review opinion
    for pk, root in root_of.items():
        opinion[root] = max(opinion.get(root, ended[pk]), ended[pk])
    # down: every petition of those matters, level by level
    later: dict[int, list[tuple[int, bool]]] = {}
    matter_of = {root: root for root in opinion}
    frontier = set(opinion)
    seen = set(frontier)
    for _ in range(MAX_CHAIN):
        rows = list(
            Petition.objects.filter(repeat_of__in=frontier)
            .exclude(pk__in=seen)
            .values_list("pk", "repeat_of_id", "registered_at", "is_open", "state")
        )
        if not rows:
            break
        frontier = set()
        for pk, parent, registered_at, is_open, state in rows:
            root = matter_of[parent]
            matter_of[pk] = root
            frontier.add(pk)
            if state != State.VOIDED and registered_at and registered_at > opinion[root]:
                later.setdefault(root, []).append((pk, is_open))
        seen |= frontier
    out: dict[int, int] = {}
    for came in later.values():
        open_ones = [pk for pk, is_open in came if is_open]
        if open_ones:
            out[max(open_ones)] = len(came)
    return out


#: Open states in which the current stage is answered and only the petitioner's window to ask
#: the next step runs (T7 after an opinion, Art. 35; T9 after a review opinion, Art. 36): not
#: "unresolved" for the open-days criterion.
ANSWERED = frozenset({State.OPINION_ISSUED, State.REVIEW_DECIDED})

#: What is still owed at the current stage, for the proposal's reason (Chinese, the record's).
AWAITING: dict[str, str] = {
    State.RECEIVED: "尚未登记分流",
    State.REGISTERED: "尚未转送交办",
    State.ROUTING: "待重新分流",
    State.TRANSFERRED: "已转送，尚未告知是否受理",
    State.ASSIGNED: "已交办，尚未告知是否受理",
    State.OBJECTED: "管辖异议待定",
    State.ACKNOWLEDGED: "已受理，尚未出具处理意见或答复",
    State.IN_HANDLING: "办理中，尚未出具处理意见或答复",
    State.SUGGESTION_REVIEW: "建议研究中，尚未作出决定",
    State.REVIEW_REQUESTED: "复查中，尚未出具复查意见",
    State.RE_REVIEW_REQUESTED: "复核中，尚未出具复核意见",
}


def backlog_propose_due(*, now: datetime | None = None) -> dict[str, int]:
    """Evaluate the active criteria over the open petitions and propose each match once
    (job ``resolution.backlog_propose``). A petition with a live case (proposed or open) is
    left alone, and so is one a person rejected: a rejection stands until a person proposes it
    again. Idempotent: run twice, nothing doubles (and the unique constraint holds)."""
    now = now or clock.now()
    today = clock.local_date(now)
    criteria = _criteria()
    if not criteria:
        return {"proposed": 0}
    seen = set(BacklogCase.objects.values_list("petition_id", flat=True))
    repeats = dict(
        Petition.objects.filter(repeat_of__isnull=False)
        .values("repeat_of")
        .annotate(n=Count("pk"))
        .values_list("repeat_of", "n")
    )
    after_final = (
        _raised_after_re_review() if any(c.kind == Kind.RE_REVIEWED for c in criteria) else {}
    )
    # A petition handed to another installation is that installation's to resolve (issue 20):
    # no organ here works for the one it sits with.
    rows = (
        Petition.objects.filter(is_open=True, registered_at__isnull=False)
        .exclude(current_organ__external=True)
        .values_list("pk", "registered_at", "current_organ_id", "state")
    )
    new = []
    for pk, registered_at, organ_id, state in rows.iterator(chunk_size=CHUNK):
        if pk in seen or organ_id is None:
            continue
        facts = Facts(
            clock.local_date(registered_at),
            True,
            repeats.get(pk, 0),
            after_final.get(pk, 0),
            answered=state in ANSWERED,
            awaiting=AWAITING.get(state, ""),
        )
        hit = next((c for c in criteria if c.matches(facts, today=today)), None)
        if hit is not None:
            new.append(
                BacklogCase(
                    petition_id=pk,
                    organ_id=organ_id,
                    proposed_reason=hit.reason(facts, today=today),
                    proposed_on=today,
                )
            )
    BacklogCase.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
    return {"proposed": len(new)}


def _case_for_update(actor: User, case_id: int) -> BacklogCase:
    return record_for_update(
        BacklogCase,
        actor=actor,
        record_id=case_id,
        scope=backlog_scope(actor),
        missing=gettext("未找到该积案，或不在您的查看范围内"),
        cap=Cap.BACKLOG_MANAGE,
    )


def _must_be(case: BacklogCase, status: str) -> None:
    if case.status != status:
        raise invalid({"status": [gettext("该积案当前状态不能进行此操作")]})


def _audit(actor: User, case: BacklogCase, action: str, at: datetime) -> None:
    audit_record(
        kind=f"backlog.{action}",
        actor=actor,
        object_type="backlog_case",
        object_id=case.pk,
        data={"petition_id": case.petition_id, "status": case.status},
        at=at,
    )


def backlog_decide(
    *,
    actor: User,
    case_id: int,
    confirm: bool,
    note: str = "",
    leader: str = "",
    at: datetime | None = None,
) -> BacklogCase:
    """A person confirms a proposal (naming the leader in charge, Art. 18 para 2) or rejects it
    with a reason. Confirming sets the petition's ``backlog`` flag."""
    at = at or clock.now()
    note = text(note, limit=500, field="note")
    leader = text(leader, limit=100, field="leader")
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.PROPOSED)
        if confirm and not leader:
            raise invalid({"leader": [gettext("请写明包案领导（第十八条第二款）")]})
        if not confirm and not note:
            raise invalid({"note": [gettext("请写明不列为积案的理由")]})
        case.status = CaseStatus.OPEN if confirm else CaseStatus.REJECTED
        case.decided_on, case.decided_by, case.decision_note = clock.local_date(at), actor, note
        case.leader = leader if confirm else ""
        case.save(update_fields=["status", "decided_on", "decided_by", "decision_note", "leader"])
        if confirm:
            p = Petition.objects.filter(pk=case.petition_id).values_list("backlog", flat=True)
            if not p.first():
                petition_flag_set(
                    petition_id=case.petition_id,
                    flag=Flag.BACKLOG,
                    on=True,
                    actor=actor,
                    at=at,
                    reason=gettext("列为积案：%(r)s") % {"r": case.proposed_reason},
                )
        _audit(actor, case, "confirm" if confirm else "reject", at)
    return case


def backlog_plan(
    *, actor: User, case_id: int, plan: str, at: datetime | None = None
) -> BacklogCase:
    """The resolution plan (化解方案) of an open case; rewritten as the work goes on."""
    at = at or clock.now()
    plan = text(plan, limit=10000, field="plan")
    if not plan:
        raise invalid({"plan": [gettext("请填写化解方案")]})
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.OPEN)
        case.plan = plan
        case.save(update_fields=["plan"])
        _audit(actor, case, "plan", at)
    return case


def backlog_milestone_add(
    *, actor: User, case_id: int, title: str, due_on: date | None, at: datetime | None = None
) -> BacklogMilestone:
    at = at or clock.now()
    title = text(title, limit=200, field="title")
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [gettext("请填写节点")]
    if due_on is None:
        errors["due_on"] = [gettext("请填写计划完成日期")]
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.OPEN)
        m = BacklogMilestone.objects.create(case=case, title=title, due_on=due_on)
        _audit(actor, case, "milestone", at)
    return m


def backlog_milestone_done(
    *, actor: User, case_id: int, milestone_id: int, at: datetime | None = None
) -> BacklogMilestone:
    at = at or clock.now()
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.OPEN)
        m = BacklogMilestone.objects.filter(case=case, pk=milestone_id).first()
        if m is None:
            raise NotFound()
        if m.done_on is None:
            m.done_on = clock.local_date(at)
            m.save(update_fields=["done_on"])
            _audit(actor, case, "milestone_done", at)
    return m


def backlog_progress_add(
    *, actor: User, case_id: int, note: str, at: datetime | None = None
) -> BacklogProgress:
    at = at or clock.now()
    note = text(note, limit=5000, field="note")
    if not note:
        raise invalid({"note": [gettext("请填写进展情况")]})
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.OPEN)
        entry = BacklogProgress.objects.create(
            case=case, note=note, on=clock.local_date(at), by=actor, recorded_at=clock.now()
        )
        _audit(actor, case, "progress", at)
    return entry


def backlog_close(
    *, actor: User, case_id: int, outcome: str, at: datetime | None = None
) -> BacklogCase:
    """The close-out (化解): what was done and how the matter stands. The petitioner's own
    evaluation is not entered here by the organ being evaluated (DEVELOPERS.md principle 3);
    the petitioner gives it through the petition's feedback. Clears the ``backlog`` flag."""
    at = at or clock.now()
    outcome = text(outcome, limit=10000, field="outcome")
    if not outcome:
        raise invalid({"outcome": [gettext("请写明化解情况")]})
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _must_be(case, CaseStatus.OPEN)
        case.status, case.closed_on, case.outcome = CaseStatus.CLOSED, clock.local_date(at), outcome
        case.save(update_fields=["status", "closed_on", "outcome"])
        petition_flag_set(
            petition_id=case.petition_id,
            flag=Flag.BACKLOG,
            on=False,
            actor=actor,
            at=at,
            reason=gettext("积案化解"),
            ended_by=f"backlog_case:{case.pk}",
        )
        _audit(actor, case, "close", at)
    return case


__all__ = [
    "backlog_close",
    "backlog_decide",
    "backlog_milestone_add",
    "backlog_milestone_done",
    "backlog_plan",
    "backlog_progress_add",
    "backlog_propose_due",
]
