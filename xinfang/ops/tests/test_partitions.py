"""Time partitioning with pg_partman (ADR 0019) on a database of two years of history.

A copy of the test database (``CREATE DATABASE … TEMPLATE``) gets two years of generated history
(``bench_seed --years 2``), is partitioned (``partitions setup``), loses its older full year
(``partitions detach``: ``DETACH … CONCURRENTLY``, so outside any transaction) and gets it back
(``partitions attach``); at each stage ``audit verify`` passes across the partitions and the
staff pages still answer. While the year is archived, verify names the archived range rather
than reporting a removal, yet still finds a record removed, or a petition edited, outside it;
after re-attaching, it finds a record edited inside the old year.

Planted faults, each watched failing this test and then restored:

* verify that excuses *any* gap in a chain while a year is archived (``archive.step`` jumping to
  the next present record instead of to the end of a matching run): the record deleted from the
  attached year is no longer reported;
* verify that reads only the current year's partition (``AuditRecord.objects.filter(at__gte=
  <1 January>)`` in ``_verify_chains``): the record edited in the re-attached year is not seen;
* seals excused for every petition while a year is archived (``Archive.excuses`` returning True):
  the petition edited outside the archive is not reported.

Skipped on SQLite (PostgreSQL only) and without pg_partman, except with CI=true: then a missing
pg_partman fails (scripts/test installs ``postgresql-15-partman``)."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.skipif(
    os.environ.get("XINFANG_TEST_DB") != "postgres", reason="partitioning is PostgreSQL's"
)

PARTMAN = "/usr/share/postgresql/15/extension/pg_partman.control"


def _admin(db: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def history_db(transactional_db):
    """The ``default`` connection on a copy of the (migrated, empty) test database, in
    autocommit (detach cannot run inside a transaction). Dropped afterwards."""
    if not os.path.exists(PARTMAN):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no pg_partman: apt-get install postgresql-15-partman")
        pytest.skip("no pg_partman (apt-get install postgresql-15-partman)")
    if True:
        saved = dict(connection.settings_dict)
        template = saved["NAME"]
        name = f"{template}_parts"
        connection.close()
        with _admin(saved) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        connection.settings_dict["NAME"] = name
        try:
            yield name
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            with _admin(saved) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sql(sql: str, params=None):  # type: ignore[no-untyped-def]
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall() if c.description else None


def _pages_answer(client, petition_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    for url in [
        "/worklist/",
        "/search/?q=工资",
        *(f"/petitions/{pk}/" for pk in petition_ids),
        *(f"/documents/petitions/{pk}/" for pk in petition_ids),
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)


def _verify():  # type: ignore[no-untyped-def]
    from xinfang.audit.verify import audit_verify

    return audit_verify(anchors=False)


def test_two_years_partitioned_a_year_detached_and_reattached_with_audit_verify_passing(
    history_db,
):
    from django.test import Client

    from xinfang.audit.models import AuditRecord
    from xinfang.core import clock
    from xinfang.directory.models import Organ, Role
    from xinfang.directory.services import staff_create
    from xinfang.ops.partitions import partitioned
    from xinfang.petitions.models import Petition, PetitionEvent

    call_command("bench_seed", petitions=100, years=2, templates=10, json=True)
    assert _verify().ok
    records, events = AuditRecord.objects.count(), PetitionEvent.objects.count()

    found = _search_ids()
    assert found  # the seeded texts hold the word
    call_command("partitions", "setup")
    for table in ("audit_auditrecord", "petitions_petitionevent"):
        assert partitioned(table), table
    # the search words are one tsvector row per petition since ADR 0022: not partitioned
    assert not partitioned("workbench_petitionwords")
    assert _search_ids() == found
    assert (AuditRecord.objects.count(), PetitionEvent.objects.count()) == (records, events)
    year = clock.now().year - 1  # the last full year of the two
    old = f"audit_auditrecord_p{year}"
    in_old = _sql(f"SELECT count(*) FROM {old}")[0][0]
    assert 0 < in_old < records  # the history really spans the partitions
    rep = _verify()
    assert rep.ok, rep.problems
    assert rep.checked == records

    # the pages of a clerk: a petition with history in the old year, and a recent one
    organ_id, old_pid = _sql(
        "SELECT p.current_organ_id, p.id FROM petitions_petition p "
        f"JOIN petitions_petitionevent_p{year} e ON e.petition_id = p.id "
        "WHERE p.current_organ_id IS NOT NULL ORDER BY p.id LIMIT 1"
    )[0]
    new_pid = (
        Petition.objects.filter(current_organ_id=organ_id, received_at__year=year + 1)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    assert new_pid
    clerk = staff_create(
        username="part_clerk",
        password=None,
        organ=Organ.objects.get(pk=organ_id),
        roles=[Role.REGISTRAR],
    )
    client = Client()
    client.force_login(clerk)
    _pages_answer(client, [old_pid, new_pid])

    # detach the old year: verify passes and names the archived range
    before = AuditRecord.objects.count()
    call_command("partitions", "detach", year=year)
    assert not _sql(
        "SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [f"xinfang_archive.{old}"]
    )
    assert AuditRecord.objects.count() == before + 2 - in_old  # two detach records added
    rep = _verify()
    assert rep.ok, rep.problems
    assert any(old in n and "archived range" in n for n in rep.notes), rep.notes
    assert any("archived partition" in n for n in rep.notes), rep.notes  # unchecked seals
    _pages_answer(client, [old_pid, new_pid])
    assert _search_ids() == found  # the petitions stay, and so do their words
    # the petition page says that part of the history is archived, only where it is
    assert "部分历史已归档" in client.get(f"/petitions/{old_pid}/").content.decode()
    from xinfang.audit.archive import archive_read

    assert not archive_read().excuses("petition", str(new_pid))  # all of its history is recent
    assert "部分历史已归档" not in client.get(f"/petitions/{new_pid}/").content.decode()

    # ... yet a record removed from the attached year is still found (planted fault 1)
    first_after = _first_record_after_an_archived_run(year)
    row = _sql("SELECT * FROM audit_auditrecord WHERE id = %s", [first_after])[0]
    _sql("DELETE FROM audit_auditrecord WHERE id = %s", [first_after])
    rep = _verify()
    assert not rep.ok and any("removed" in p for p in rep.problems), rep.problems
    cols = ", ".join(["%s"] * len(row))
    _sql(f"INSERT INTO audit_auditrecord VALUES ({cols})", [_json(v) for v in row])
    assert _verify().ok

    # ... and a petition edited outside the archive (planted fault 3)
    title = Petition.objects.get(pk=new_pid).title
    _sql("UPDATE petitions_petition SET title = %s WHERE id = %s", ["改过的标题", new_pid])
    rep = _verify()
    assert any(f"petition {new_pid}" in p for p in rep.problems), rep.problems
    _sql("UPDATE petitions_petition SET title = %s WHERE id = %s", [title, new_pid])

    # re-attach: everything is checked again, the old year included
    call_command("partitions", "attach", year=year)
    assert AuditRecord.objects.filter(kind="partition.attach").count() == 2
    assert AuditRecord.objects.filter(at__year=year).count() == in_old
    rep = _verify()
    assert rep.ok, rep.problems
    assert not any("archived" in n for n in rep.notes), rep.notes
    assert rep.checked == AuditRecord.objects.count()
    _pages_answer(client, [old_pid, new_pid])
    assert _search_ids() == found

    # a record edited inside the re-attached year is found (planted fault 2)
    victim = _sql(f"SELECT id, data FROM {old} ORDER BY id LIMIT 1")[0]
    _sql(f"UPDATE {old} SET data = '{{\"x\": 1}}'::jsonb WHERE id = %s", [victim[0]])
    rep = _verify()
    assert any("edited" in p for p in rep.problems), rep.problems
    _sql(f"UPDATE {old} SET data = %s WHERE id = %s", [_json(victim[1]), victim[0]])
    assert _verify().ok
    assert "部分历史已归档" not in client.get(f"/petitions/{old_pid}/").content.decode()

    # a detach that stopped partway (both tables out of their parents, neither moved to the
    # archive, no manifest written): verify reports the records as removed; running the detach
    # again completes it, and verify passes with the year archived
    for table in ("petitions_petitionevent", "audit_auditrecord"):
        _sql(f'ALTER TABLE "{table}" DETACH PARTITION "{table}_p{year}"')
    assert not _verify().ok
    with pytest.raises(Exception, match="归档中没有"):
        call_command("partitions", "attach", year=year)  # nothing in the archive to attach yet
    call_command("partitions", "detach", year=year)
    assert (
        _sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'xinfang_archive' AND tablename = %s",
            [old],
        )[0][0]
        == 1
    )
    rep = _verify()
    assert rep.ok, rep.problems
    assert any(old in n and "archived range" in n for n in rep.notes), rep.notes
    with pytest.raises(Exception, match="没有挂接着的分区"):
        call_command("partitions", "detach", year=year)  # done: a third run has nothing to do


def _search_ids(q: str = "工资") -> list[int]:
    """What the province's clerk finds by a word (at most 200, newest first)."""
    from xinfang.directory.models import User
    from xinfang.workbench.selectors import petition_search_for_user

    clerk = User.objects.get(username="province_clerk")
    return [p.pk for p in petition_search_for_user(user=clerk, q=q, limit=200).items]


def _first_record_after_an_archived_run(year: int) -> int:
    """The id of an attached record whose predecessor in its chain is archived."""
    rows = _sql(
        f"""
        SELECT r.id FROM audit_auditrecord r
        JOIN xinfang_archive.audit_auditrecord_p{year} a ON a.chain = r.chain AND a.seq = r.seq - 1
        WHERE r.kind <> 'partition.detach' ORDER BY r.id DESC LIMIT 1
        """
    )
    assert rows, "no attached record follows an archived one"
    return rows[0][0]


def _json(v):  # type: ignore[no-untyped-def]
    from psycopg.types.json import Jsonb

    return Jsonb(v) if isinstance(v, dict | list) else v
