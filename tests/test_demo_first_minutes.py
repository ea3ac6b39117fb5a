"""The first minutes of ``xinfang demo`` (issue 12 item 17): the server answers while the demo
is seeded, so the seed writes in short transactions (a portal submission then waits for one
batch, not for the whole seed: SQLite has one writer), and every page says the demo is still
being prepared.

Planted faults: the old single transaction around all registrations (``_register``) or 250
petitions driven per transaction make the largest seed transaction hold well over the limit
below; dropping the marker or the banner fails the page test.
"""

from __future__ import annotations

import pytest
from django.db import connection

from xinfang.demo import demo_seed
from xinfang.demo.seed import preparing_marker

pytestmark = pytest.mark.django_db

MOST_PETITIONS_PER_TRANSACTION = 60  # one organ-day of registrations, or one driving batch


def test_the_seed_writes_in_short_transactions_and_marks_itself_while_it_runs(monkeypatch):
    from xinfang.demo import seed as seed_module

    base = len(connection.atomic_blocks)  # the test's own transaction(s)
    per_outer: dict[int, set] = {}
    seen_marker: list[bool] = []
    alive: list[object] = []

    def counting(fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            blocks = connection.atomic_blocks
            seen_marker.append(preparing_marker().exists())
            result = fn(*args, **kwargs)
            ids = (
                [r.petition.pk for r in result]
                if isinstance(result, list)
                else [kwargs["petition_id"]]
            )
            # the seed's own transaction around this call, or the call's own transaction; kept
            # alive, so that a later transaction can never reuse its id()
            outer = blocks[base] if len(blocks) > base else result
            alive.append(outer)
            key = id(outer)
            per_outer.setdefault(key, set()).update(ids)
            return result

        return wrapper

    monkeypatch.setattr(
        seed_module, "petition_register_many", counting(seed_module.petition_register_many)
    )
    monkeypatch.setattr(seed_module, "petition_act", counting(seed_module.petition_act))
    result = demo_seed(petitions=200, seed=11)
    assert result["errors"] == []
    largest = max(len(v) for v in per_outer.values())
    assert largest <= MOST_PETITIONS_PER_TRANSACTION, largest
    assert all(seen_marker) and not preparing_marker().exists()


def test_every_page_says_the_demo_is_still_being_prepared_while_it_is(client, world):
    marker = preparing_marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    try:
        for url in ("/portal/", "/login/", "/portal/submit/?region=990102"):
            assert "演示数据正在生成" in client.get(url).content.decode(), url
    finally:
        marker.unlink()
    assert "演示数据正在生成" not in client.get("/portal/").content.decode()
