"""The first minutes of ``xinfang demo`` (issue 12 item 17): the server answers while the demo
is seeded, so the seed writes in short transactions (a portal submission then waits for one
batch, not for the whole seed: SQLite has one writer), and every page says the demo is still
being prepared.

The seed's transactions and marker are checked on the one small demo that tests/test_demo.py
seeds for all its read-only tests (TestOneSmallDemo), where the planted faults are named.
Planted fault here: dropping the banner fails the page test.
"""

from __future__ import annotations

import pytest

from xinfang.demo.seed import preparing_marker

pytestmark = pytest.mark.django_db


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
