"""``take_back`` in the pure table (issue 20): from a hand-over only, only while the other
installation has not acknowledged it, back to routing. No database."""

from __future__ import annotations

import pytest

from xinfang.petitions.workflow import (
    Action,
    Context,
    IllegalAction,
    State,
    available_actions,
    next_state,
)

UNDELIVERED = Context(handover_undelivered=True)


@pytest.mark.parametrize("state", [State.TRANSFERRED, State.ASSIGNED])
def test_an_undelivered_hand_over_is_taken_back_to_routing(state):
    assert next_state(state, Action.TAKE_BACK, UNDELIVERED) == State.ROUTING
    assert Action.TAKE_BACK in available_actions(state, UNDELIVERED)


@pytest.mark.parametrize("state", [State.TRANSFERRED, State.ASSIGNED])
def test_a_delivered_or_local_hand_over_is_not_taken_back(state):
    with pytest.raises(IllegalAction) as e:
        next_state(state, Action.TAKE_BACK, Context())
    assert e.value.code == "guard_refused"
    assert Action.TAKE_BACK not in available_actions(state, Context())


@pytest.mark.parametrize(
    "state", [s for s in State if s not in (State.TRANSFERRED, State.ASSIGNED)]
)
def test_no_other_state_is_taken_back(state):
    with pytest.raises(IllegalAction):
        next_state(state, Action.TAKE_BACK, UNDELIVERED)
