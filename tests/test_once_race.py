"""The one-time token of a form under a real race on PostgreSQL (issue 13 §1.10, §1.2).

Two threads, each with its own database connection and its own session of the same clerk,
post the same form with the same token at the same moment (a double click reaching two
server threads). ``OnceFormMiddleware`` claims the token inside the request's transaction:
the second insert of the claim waits for the first request to commit, then finds it taken.
Exactly one action is recorded; the other request is answered by the redirect to where the
first one led (303), never a 500 and never a second event.

PostgreSQL only: concurrent connections to the in-memory SQLite test database lock at once
(a file database serialises writers with BEGIN IMMEDIATE, so the race cannot arise there).

Planted fault this module catches (rerun: make the change, run this file on PostgreSQL):
- ``OnceFormMiddleware`` removed from ``MIDDLEWARE``: the second transfer is refused by the
  workflow (a 403 "not allowed in this state"), not answered by the redirect (seen: [302, 403]).
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _token(html: str, action: str) -> str:
    for m in re.finditer(r"<form\b[^>]*>(.*?)</form>", html, re.S):
        if f'action="{action}"' in m.group(0):
            t = re.search(r'name="once" value="([^"]+)"', m.group(0))
            assert t, action
            return t.group(1)
    raise AssertionError(f"no form posts to {action}")


def _race(posts: list) -> list:  # type: ignore[type-arg]
    """Run the callables at the same moment, each in its own thread (and connection)."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)  # type: ignore[type-arg]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = posts[i]()
        except BaseException as e:  # reported by the assertion below
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_the_same_workflow_form_posted_twice_at_once_takes_the_action_once(world, register, round_):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections to one in-memory SQLite lock at once")
    from xinfang.petitions.models import PetitionEvent

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 28)).petition
    page, action = f"/petitions/{p.pk}/", f"/petitions/{p.pk}/act/transfer/"
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(world.clerk)
    token = _token(clients[0].get(page).content.decode(), action)
    form = {"to_organ_id": world.housing.pk, "reason": "", "once": token}
    results = _race([lambda c=c: c.post(action, form) for c in clients])
    assert not any(isinstance(r, BaseException) for r in results), results
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 303], (codes, [r.content[:300] for r in results])
    assert results[0]["Location"] == results[1]["Location"] == page
    assert PetitionEvent.objects.filter(petition=p, action="transfer").count() == 1
    p.refresh_from_db()
    assert p.current_organ_id == world.housing.pk
