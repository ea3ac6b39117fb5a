"""A transferred petition at the county housing bureau, and a helper issuing a notice."""

from __future__ import annotations

import pytest

from conftest import local


@pytest.fixture
def held(world, register):
    """A petition registered at the county office and transferred to housing (today)."""
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action

    p = register().petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        data={"to_organ_id": world.housing.pk},
    )
    p.refresh_from_db()
    return p


@pytest.fixture
def issue(world, held):
    """Issue a supervision notice from the county office to housing (override any field)."""
    from xinfang.resolution.services import supervision_issue

    def _issue(**over):
        fields = dict(
            actor=world.clerk,
            organ=world.housing,
            petition_ids=[held.pk],
            reasons=["delay"],
            facts="该信访事项转送后逾期未告知受理情况，请依法办理并书面反馈。",
            at=local(2025, 9, 1),
        )
        fields.update(over)
        return supervision_issue(**fields)

    return _issue


@pytest.fixture
def reply(world):
    """The housing head's written reply on a given day (the clock is moved there: a paper
    event's date is never in the future)."""
    import time_machine

    from xinfang.resolution.services import supervision_reply

    def _reply(notice, text, day, actor=None):
        with time_machine.travel(local(*day), tick=False):
            return supervision_reply(
                actor=actor or world.head, notice_id=notice.pk, reply=text, at=local(*day)
            )

    return _reply
