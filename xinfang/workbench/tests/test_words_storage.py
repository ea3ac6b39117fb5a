"""How the search words are stored (ADR 0022): one tsvector per petition on PostgreSQL, a row
per word on SQLite; the migration that moves the words already indexed, both ways."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from conftest import local

TRICKY = ["物业", "c++", "at&t", "50%", "3.5", "wi-fi", "it's", "a\\b", "x:y", "!no", "(a|b)", "x*"]

on_postgres = pytest.mark.skipif(
    os.environ.get("XINFANG_TEST_DB") != "postgres", reason="the tsvector is PostgreSQL's"
)


@on_postgres
@pytest.mark.django_db
def test_the_text_forms_read_back_as_the_words_themselves():
    """What ``bench_seed`` COPYs (``tsvector_text``) is what ``array_to_tsvector`` makes, and a
    query of quoted words (``tsquery_text``) matches exactly the words, however they look."""
    from xinfang.workbench.words import tsquery_text, tsvector_text

    with connection.cursor() as c:
        c.execute(
            "SELECT %s::tsvector = array_to_tsvector(%s::text[]), tsvector_to_array(%s::tsvector)",
            [tsvector_text(TRICKY), TRICKY, tsvector_text(TRICKY)],
        )
        same, back = c.fetchone()
        assert same and sorted(back) == sorted(TRICKY)
        for w in TRICKY:
            c.execute(
                "SELECT array_to_tsvector(%s::text[]) @@ %s::tsquery, "
                "array_to_tsvector(%s::text[]) @@ %s::tsquery",
                [TRICKY, tsquery_text([w]), [x for x in TRICKY if x != w], tsquery_text([w])],
            )
            assert c.fetchone() == (True, False), w


@on_postgres
@pytest.mark.django_db
def test_search_can_use_the_gin_index(world, register):
    from xinfang.workbench.words import GIN_INDEX, petitions_with_all

    register(title="物业收费")
    sql, params = petitions_with_all(["物业", "收费"]).query.sql_with_params()
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_seqscan = off")
        c.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in c.fetchall())
    assert GIN_INDEX in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_words_both_ways(world, register):
    """Back to the row-per-word table and forward again: every petition keeps exactly its words,
    and search finds it by them (on SQLite the words never move)."""
    from django.db.migrations.executor import MigrationExecutor

    from xinfang.workbench.selectors import petition_search_for_user
    from xinfang.workbench.services import search_index_pending
    from xinfang.workbench.text import terms_of_text
    from xinfang.workbench.words import words_of

    made = [
        register(title=t, content=c, received_at=local(2025, 3, 3)).petition
        for t, c in [("物业乱收费", "物业公司擅自上调停车费"), ("拖欠工资", "工地拖欠农民工工资")]
    ]
    search_index_pending()
    ids = [p.pk for p in made]
    want = {p.pk: terms_of_text(f"{p.title}\n{p.content}") for p in made}
    assert words_of(petition_ids=ids) == want

    def terms_rows() -> int:
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM workbench_petitionterm")
            return c.fetchone()[0]

    def migrate(name: str) -> None:
        ex = MigrationExecutor(connection)
        ex.migrate([("workbench", name)])

    try:
        migrate("0003_search_pending")
        assert terms_rows() == sum(len(w) for w in want.values())
        migrate("0004_petition_words")
    finally:
        migrate("0004_petition_words")  # the test database stays at the latest state
    assert words_of(petition_ids=ids) == want
    if connection.vendor == "postgresql":
        assert terms_rows() == 0
    found = petition_search_for_user(user=world.clerk, q="物业 收费").items
    assert [p.pk for p in found] == [made[0].pk]
