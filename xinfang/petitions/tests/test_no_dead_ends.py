"""No petition is ever stuck: every state a petition can reach, with every fact the steps
before it can leave behind, offers some role a step, or is final (issue 12, item 1).

The walk takes petitions through the real service (``petition_act``) from every way a petition
enters (registered at a petition office, with or without a category, or directly at a
competent organ) with
every variant of each step's input, including the ones a clerk may leave at 请选择. After each
step it asks the page's own selector (``petition_actions_for_user``) whether anyone of the
world can take a next step. Each branch runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tests.flows import OPINION
from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.petitions.gate import actor_may
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.detail import petition_actions_for_user
from xinfang.petitions.workflow import Action, State, is_final

A = Action


class _Rollback(Exception):
    pass


def _variants(world, p: Petition) -> dict[Action, list[tuple[str, dict]]]:
    """Every action with the inputs a user could send: complete ones and the ones left empty."""
    later = (clock.today() + dt.timedelta(days=20)).isoformat()
    decision = {k: v for k, v in OPINION.items() if k != "outcome"}
    return {
        A.TRANSFER: [("", {"to_organ_id": world.housing.pk})],
        A.ASSIGN: [("", {"to_organ_id": world.housing.pk, "report_due": later})],
        A.REFER_LEGAL: [("", {"to_organ_id": world.court.pk})],
        A.REFER_DISCIPLINE: [("", {"to_organ_id": world.discipline.pk})],
        A.OBJECT: [("不属本机关职责", {})],
        A.OBJECTION_ACCEPT: [("同意", {})],
        A.OBJECTION_REJECT: [("属于该机关职责", {})],
        A.ACKNOWLEDGE: [
            ("", {}),
            ("", {"category": "appeal"}),
            ("", {"route": "6"}),
            ("", {"category": "suggestion"}),
            ("", {"category": "accusation"}),
            *[("", {"category": "appeal", "route": str(r)}) for r in (1, 5, 6)],
        ],
        A.START_HANDLING: [
            ("", {}),
            ("", {"category": "suggestion"}),
            ("", {"category": "appeal", "route": "6"}),
            ("", {"category": "appeal", "route": "5"}),
        ],
        A.REDIRECT: [("不属本系统职权", {"proper_organ": "青山县人民法院"})],
        A.NOT_ACCEPT: [("重复提出", {"ground": "other"})],
        A.CHANNEL: [("请通过诉讼解决", {})],
        A.EXTEND: [("需要现场监测", {"days": 30})],
        A.HEARING_START: [("", {})],
        A.HEARING_END: [("", {})],
        A.SETTLE: [("", {"agreement": "mediation", "summary": "双方和解"})],
        A.ISSUE_OPINION: [("", dict(OPINION))],
        A.REPLY: [("已答复", {})],
        A.RECORD_DELIVERY: [("", {"method": "post", "signed": "true"})],
        A.REPORT_RESULT: [("已办结", {})],
        A.REQUEST_REVIEW: [("", {})],
        A.DECIDE_REVIEW: [("", {"outcome": o, **decision}) for o in ("uphold", "redo")],
        A.REQUEST_RE_REVIEW: [("", {})],
        A.DECIDE_RE_REVIEW: [("", decision)],
        A.CLOSE: [("", {})],
        A.VOID: [("重复登记", {})],
    }


def _signature(p: Petition) -> tuple:
    return (
        p.state,
        p.category,
        p.route,
        p.current_organ_id,
        p.handling_organ_id,
        p.dispatched_by,
        p.extended,
        p.in_hearing,
        p.delivery_pending,
        p.report_done,
    )


def _walk(world, start: Petition) -> tuple[set[str], list[tuple]]:
    staff = [
        world.clerk,
        world.handler,
        world.head,
        world.city_head,
        world.prov_head,
        world.po_head,
        world.city_clerk,
    ]
    seen: set[tuple] = set()
    reached: set[str] = set()
    stuck: list[tuple] = []

    def visit(pk: int, path: tuple) -> None:
        p = Petition.objects.select_related("current_organ", "handling_organ").get(pk=pk)
        sig = _signature(p)
        if sig in seen:
            return
        seen.add(sig)
        reached.add(p.state)
        offered = {a for u in staff for a in petition_actions_for_user(user=u, petition=p)}
        if not offered and not is_final(State(p.state)):
            stuck.append((sig, path))
            return
        for a in sorted(offered):
            action = Action(a)
            for reason, data in _variants(world, p).get(action, []):
                actor = next(u for u in staff if actor_may(p, action, u) is None)
                try:
                    with transaction.atomic():
                        from xinfang.petitions.services import petition_act

                        try:
                            petition_act(
                                petition_id=pk,
                                action=action,
                                actor=actor,
                                reason=reason,
                                data=dict(data),
                            )
                        except ApplicationError:
                            raise _Rollback from None
                        visit(pk, (*path, (a, data)))
                        raise _Rollback
                except _Rollback:
                    pass

    visit(start.pk, ())
    return reached, stuck


@pytest.mark.parametrize(
    "entry", ["petition_office", "petition_office_no_category", "competent_organ"]
)
def test_every_reachable_state_offers_some_role_a_step_or_is_final(world, register, entry):
    over: dict = {"received_at": clock.now() - dt.timedelta(days=1)}
    if entry != "petition_office":
        over.update(category="", route=None)
    if entry == "competent_organ":
        over.update(organ=world.housing, actor=world.head)
    p = register(**over).petition
    reached, stuck = _walk(world, p)
    assert not stuck, f"stuck (state, facts) with the steps that led there: {stuck[:3]}"
    # the walk really went through the procedure, not only its first steps
    assert {State.IN_HANDLING, State.OPINION_ISSUED, State.REVIEW_REQUESTED} <= reached
