"""Two steps on one petition at the same moment (issue 13 §1.2): the loser gets the same clear
refusal it would get a moment later, never a 500.

PostgreSQL only (the in-memory SQLite test database cannot hold two connections that wait for
each other; a file database serialises writers, which the sequential half of the test shows).
Planted fault: reading the locked row once (``select_for_update().select_related().get()``
without ``_locked``'s second read) makes the loser's request a 500 (``DoesNotExist``).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from xinfang.api.services import token_issue

pytestmark = pytest.mark.django_db(transaction=True)


def _transfer(token: str, petition_id: int, organ_id: int, barrier, out: list) -> None:  # type: ignore[no-untyped-def]
    try:
        if barrier is not None:
            barrier.wait(timeout=10)
        r = Client(raise_request_exception=False).post(
            f"/api/v1/petitions/{petition_id}/actions/transfer",
            {"data": {"to_organ_id": organ_id}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        out.append((r.status_code, r["Content-Type"], r.content[:200].decode(errors="replace")))
    finally:
        if barrier is not None:
            connections.close_all()


def test_the_loser_of_two_simultaneous_transfers_gets_the_same_4xx_as_one_a_moment_later(world, register):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections waiting for one row lock")
    from xinfang.petitions.models import Petition

    token = token_issue(user=world.clerk)
    # A moment later: what the second transfer gets once the first has committed.
    p0 = register().petition
    later: list = []
    _transfer(token, p0.pk, world.housing.pk, None, later)
    _transfer(token, p0.pk, world.housing.pk, None, later)
    assert later[0][0] == 200 and 400 <= later[1][0] < 500, later
    expected = later[1][0]
    # At the same moment, several times (the race is not won the same way each time).
    for _ in range(3):
        p = register().petition
        barrier = threading.Barrier(2)
        out: list = []
        threads = [
            threading.Thread(target=_transfer, args=(token, p.pk, organ.pk, barrier, out))
            for organ in (world.housing, world.housing)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        codes = sorted(o[0] for o in out)
        assert codes == sorted([200, expected]), out
        assert all(o[1].startswith("application/json") for o in out), out
        assert Petition.objects.get(pk=p.pk).events.filter(action="transfer").count() == 1
