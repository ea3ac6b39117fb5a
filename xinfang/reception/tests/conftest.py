"""A county leader (role leader at the county government) who receives at the county petition
office, and a helper that publishes a session there."""

from __future__ import annotations

from datetime import date, time

import pytest


@pytest.fixture
def leader(world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    u = staff_create(
        username="leaderwang", password="test-pass-123", organ=world.county_gov, roles=[Role.LEADER]
    )
    u.first_name = "王县长"
    u.save(update_fields=["first_name"])
    return u


@pytest.fixture
def publish(world, leader):
    from xinfang.reception.services import SessionInput, session_publish

    def _publish(*, actor=None, **over):
        fields = dict(
            organ=world.county_po,
            leader_id=leader.pk,
            on=date(2025, 9, 2),
            starts=time(9, 0),
            ends=time(11, 30),
            place="青山县信访局接待大厅",
            fields="住房、拆迁",
            capacity=2,
        )
        fields.update(over)
        return session_publish(actor=actor or world.clerk, data=SessionInput(**fields))

    return _publish
