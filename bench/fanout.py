"""Fan a generated history out ×K in SQL, for page timings at 10^7 (issues 14, 16).

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5441/h7 XINFANG_DATA_DIR=/tmp/h7
    createdb -T h6_base h7                      # a copy of a bench_seed history of N petitions
    python bench/fanout.py --times 10           # N·10 petitions; JSON in bench/results/

    # SQLite (the embedded default): no XINFANG_DATABASE_URL; the data folder's database, a copy
    cp -a /tmp/sqlite-h5 /tmp/sqlite-h6f && XINFANG_DATA_DIR=/tmp/sqlite-h6f python bench/fanout.py --times 10

A benchmark database nobody else writes to. ``bench_seed`` writes about 1,000
copies a second on this 2-core machine (10^7 would take hours); this script adds K−1 copies of
every petition **of the database as it is** with ``INSERT … SELECT`` — its events, deadlines,
parties, accused staff, audit records, search words, evaluations, document numbers and rollup
facts — each copy under new ids (``id + k·max(id)`` in every table, foreign keys moved alike) and
a new tracking code, everything else equal: the same organs, regions, categories, channels,
states, dates, texts and histories. So the volume per organ, per day and per state is K times the
original's, with the original's real shapes; the rollup tallies (whose keys are exactly those
columns) are multiplied by K, the rollup "as of" markers moved to the new largest ids.

What the copies are not (say so wherever their figures are used):

* **not a valid audit trail**: a copied record keeps its predecessor hash and HMAC while its
  object id and sequence number change, so ``xinfang audit verify`` reports every copied record;
  the chain heads are moved to the last copied record so that new writes append normally;
* their document numbers (文号) repeat the original's (no constraint asks otherwise), and their
  texts repeat too (each text K times in the search words);
* templates-only records (reception, supervision, prevention, text-insight decisions) are not
  copied, as ``bench_seed`` does not copy them either.

Secondary indexes are dropped for the load and rebuilt after it (their definitions are kept in
the table ``bench_fanout_index`` until rebuilt, so ``--rebuild-indexes`` finishes an interrupted
run), foreign-key triggers are off for the session (``session_replication_role = replica``):
every key is moved by construction. Then ``VACUUM ANALYZE``.

On SQLite the same statements with SQLite's functions (:data:`SQLITE`): the tracking code of a
copy is its copy number and the original's id in the code alphabet (SQLite has no sha256());
foreign keys off (``PRAGMA foreign_keys``), a rollback journal without syncs instead of the WAL
for the load (the WAL would hold every copied page once more), a 512 MiB page cache for the
index builds, the chain heads by a correlated subquery, then a full ``ANALYZE``
(``core.planner``, as ``bench_seed`` ends) and the WAL back. ``--unlogged`` and ``--resume`` are
PostgreSQL's only (SQLite moves ``sqlite_sequence`` with the copies).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

P = "petitions_petition"
E = "petitions_petitionevent"

#: table -> (original-row filter, {column: SQL expression}); ``{M:t}`` is max(id) of table t
#: before the fan-out, ``g.k`` the copy number 1..K-1; other columns are copied as they are.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    P: (
        "t.id <= {M:petitions_petition}",
        {
            "id": "t.id + g.k * {M:petitions_petition}",
            "repeat_of_id": "t.repeat_of_id + g.k * {M:petitions_petition}",
            # 16 characters of a hash: hex digits are all in the tracking-code alphabet
            "tracking_code": "upper(substr(encode(sha256(convert_to(t.tracking_code || '/' || g.k, 'UTF8')), 'hex'), 1, 16))",
        },
    ),
    E: (
        "t.id <= {M:petitions_petitionevent}",
        {
            "id": "t.id + g.k * {M:petitions_petitionevent}",
            "petition_id": "t.petition_id + g.k * {M:petitions_petition}",
        },
    ),
    "petitions_party": ("t.id <= {M:petitions_party}", {}),
    "petitions_petition_accused_staff": ("t.id <= {M:petitions_petition_accused_staff}", {}),
    "deadlines_deadline": ("t.id <= {M:deadlines_deadline}", {}),
    "feedback_evaluation": ("t.id <= {M:feedback_evaluation}", {}),
    "analytics_ratefact": ("t.id <= {M:analytics_ratefact}", {}),
    "analytics_ratepending": ("t.id <= {M:analytics_ratepending}", {}),
    "analytics_duefact": ("t.id <= {M:analytics_duefact}", {}),
    "documents_documentnumber": (
        "t.event_id <= {M:petitions_petitionevent}",
        {"event_id": "t.event_id + g.k * {M:petitions_petitionevent}"},
    ),
    "workbench_petitionwords": ("t.petition_id <= {M:petitions_petition}", {}),
    "workbench_petitionterm": ("t.petition_id <= {M:petitions_petition}", {}),
    "audit_auditrecord": (
        "t.id <= {M:audit_auditrecord} AND t.object_type = 'petition'",
        {
            "id": "t.id + g.k * {M:audit_auditrecord}",
            "seq": "t.seq + g.k * {S}",
            "object_id": "(t.object_id::bigint + g.k * {M:petitions_petition})::text",
        },
    ),
}

#: SQLite's expressions where PostgreSQL's differ (same column meaning). A copy's tracking code:
#: its copy number and the original's id, digits written in the code alphabet (no 0 or 1), so
#: every copy's code is distinct from every other copy's (16 characters, ``ids.ALPHABET``).
SQLITE: dict[str, dict[str, str]] = {
    P: {
        "tracking_code": "replace(replace(printf('%02d%014d', g.k, t.id), '0', 'Z'), '1', 'Y')",
    },
    "audit_auditrecord": {
        "object_id": "CAST(CAST(t.object_id AS INTEGER) + g.k * {M:petitions_petition} AS TEXT)",
    },
}

#: rollups whose rows are counts over exactly the columns a copy keeps: multiplied by K
TALLIES: dict[str, tuple[str, ...]] = {
    "analytics_petitiontally": ("n",),
    "analytics_ratetally": ("n",),
    "analytics_volumetally": ("n",),
    "analytics_dispatchtally": ("n",),
    "analytics_dispatchnamed": ("n",),
    "analytics_duetally": ("n",),
    "petitions_worklisttally": (
        "n",
        "major_urgent",
        "supervised",
        "leader_case",
        "backlog",
        "joint_handling",
        "major_urgent_unreported",
    ),  # fmt: skip
}


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("XINFANG_DATABASE_URL", "")
    data = os.environ.get("XINFANG_DATA_DIR", "")
    if not url.startswith("postgres") and not (data and (Path(data) / "xinfang.sqlite3").exists()):
        sys.exit(
            "set XINFANG_DATA_DIR of the seeded database (SQLite: its xinfang.sqlite3) and, "
            "for PostgreSQL, XINFANG_DATABASE_URL"
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["XINFANG_COMMAND"] = "1"  # no statement timeout
    import django

    django.setup()


def _sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def _columns(cur, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    if _sqlite():
        cur.execute(f'PRAGMA table_info("{table}")')
        return [r[1] for r in cur.fetchall()]
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cur.fetchall()]


def _fk_exprs(cur, table: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Default moves: the table's own ``id`` and every reference to a petition or an event (by
    column name, not by foreign key: ``--unlogged`` drops those constraints)."""
    out: dict[str, str] = {}
    cols = _columns(cur, table)
    if "id" in cols and table in TABLES and "{M:" + table + "}" in TABLES[table][0]:
        out["id"] = f"t.id + g.k * {{M:{table}}}"
    for col, target in (("petition_id", P), ("event_id", E)):
        if col in cols:
            out[col] = f"t.{col} + g.k * {{M:{target}}}"
    return out


def _renice(pid: int) -> None:
    """The server process doing the work first in line for the CPU (a shared benchmark
    machine: other processes keep running, slower). Needs root on the database's host."""
    import subprocess

    subprocess.run(["renice", "-n", "-15", "-p", str(pid)], capture_output=True, check=False)


def _fill(template: str, maxima: dict[str, int], s: int) -> str:
    out = template.replace("{S}", str(s))
    for t, m in maxima.items():
        out = out.replace("{M:" + t + "}", str(m))
    if "{M:" in out:
        raise SystemExit(f"no maximum for {out}")
    return out


def _secondary_indexes(cur, tables: list[str]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Indexes that back no constraint (not the primary key, not a unique constraint)."""
    if _sqlite():  # a constraint's own index has no SQL (sqlite_autoindex_…)
        marks = ", ".join(["%s"] * len(tables))
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks}) ORDER BY name",
            tables,
        )
        return list(cur.fetchall())
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    return list(cur.fetchall())


def _unlog(cur, tables: list[str], say) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """``--unlogged``: the fanned-out tables without WAL (their writes halve: on this machine the
    load waited on WAL writes). An unlogged table reads exactly as a logged one (same heap and
    index pages) but is emptied after a crash: a benchmark database only. A logged table may not
    reference an unlogged one, so the foreign keys *into* these tables (from the others, records of
    reception, supervision, prevention: templates only, and among themselves) are dropped first."""
    t0 = time.perf_counter()
    cur.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
        "AND confrelid::regclass::text = ANY(%s)",
        [tables],
    )
    fks = cur.fetchall()
    for rel, name in fks:
        cur.execute(f'ALTER TABLE {rel} DROP CONSTRAINT "{name}"')
    for t in tables:
        cur.execute(f"ALTER TABLE {t} SET UNLOGGED")
    say(
        f"  unlogged: {len(tables)} tables ({len(fks)} foreign keys into them dropped), {time.perf_counter() - t0:.0f} s"
    )
    return {"tables": tables, "foreign_keys_dropped": [f"{r}.{n}" for r, n in fks]}


def rebuild_indexes(cur, say) -> float:  # type: ignore[no-untyped-def]
    from xinfang.demo.bench_write import sqlite_cache

    t0 = time.perf_counter()
    cur.execute("CREATE TABLE IF NOT EXISTS bench_fanout_index (name text PRIMARY KEY, def text)")
    cur.execute("SELECT name, def FROM bench_fanout_index ORDER BY name")
    with sqlite_cache(mib=512):
        _rebuild(cur, cur.fetchall(), say)
    cur.execute("DROP TABLE bench_fanout_index")
    return time.perf_counter() - t0


def _rebuild(cur, indexes: list[tuple[str, str]], say) -> None:  # type: ignore[no-untyped-def]
    for name, create in indexes:
        t = time.perf_counter()
        cur.execute(create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        cur.execute("DELETE FROM bench_fanout_index WHERE name = %s", [name])
        say(f"  index {name}: {time.perf_counter() - t:.0f} s")


def fan_out(times: int, say, unlogged: bool = False, resume: bool = False) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from django.db import connection

    started = time.perf_counter()
    lite = connection.vendor == "sqlite"
    if lite and (unlogged or resume):
        raise SystemExit("--unlogged and --resume are PostgreSQL's only")
    result: dict = {"times": times, "tables": {}, "engine": connection.vendor}  # type: ignore[type-arg]
    with connection.cursor() as cur:
        if lite:  # the work is done in this process
            _renice(os.getpid())
            cur.execute("PRAGMA foreign_keys = OFF")  # keys moved by construction
            cur.execute("PRAGMA journal_mode = DELETE")  # no second copy of every page (WAL)
            cur.execute("PRAGMA synchronous = OFF")  # a benchmark database: no syncs
        else:
            cur.execute("SELECT pg_backend_pid()")
            _renice(int(cur.fetchone()[0]))
            cur.execute(
                "SET session_replication_role = replica"
            )  # no FK triggers: keys moved by construction
            cur.execute("SET maintenance_work_mem = '2GB'")
            cur.execute("SET max_parallel_maintenance_workers = 2")
        tables = [t for t in TABLES if _columns(cur, t)]
        maxima: dict[str, int] = {}
        for t in tables:
            if "id" in _columns(cur, t):
                if resume:  # the originals' largest id: the sequence, which copies never move
                    cur.execute(f"SELECT last_value FROM {t}_id_seq")
                else:
                    cur.execute(f"SELECT coalesce(max(id), 0) FROM {t}")
                maxima[t] = int(cur.fetchone()[0])
        cur.execute(
            "SELECT coalesce(max(seq), 0) FROM audit_auditrecord WHERE id <= %s",
            [maxima["audit_auditrecord"]],
        )
        s = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM petitions_petition WHERE id <= %s", [maxima[P]])
        result["petitions_before"] = int(cur.fetchone()[0])
        result["maxima"] = maxima
        say(f"fan-out ×{times} of {result['petitions_before']} petitions")

        if unlogged:
            result["unlogged"] = _unlog(cur, tables, say)

        # secondary indexes out, remembered in the database itself
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_fanout_index (name text PRIMARY KEY, def text)"
        )
        for name, create in _secondary_indexes(cur, tables):
            cur.execute(
                "INSERT INTO bench_fanout_index VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [name, create],
            )
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SELECT count(*) FROM bench_fanout_index")
        result["indexes_dropped"] = int(cur.fetchone()[0])

        for t in tables:
            where, special = TABLES[t]
            exprs = {**_fk_exprs(cur, t), **special, **(SQLITE.get(t, {}) if lite else {})}
            cols = _columns(cur, t)
            sel = ", ".join(_fill(exprs.get(c, f"t.{c}"), maxima, s) for c in cols)
            # one statement per copy, so that each copy is a pass over the originals and lands
            # after the one before (an organ's petitions are spread over the table as in a real
            # history, not stored beside their own copies)
            sql = (
                f"INSERT INTO {t} ({', '.join(cols)}) SELECT {sel} FROM {t} t "
                f"CROSS JOIN (SELECT {'%s' if lite else '%s::bigint'} AS k) AS g "
                f"WHERE {_fill(where, maxima, s)}"
            )
            t0 = time.perf_counter()
            n = 0
            probe_col = (
                "event_id"
                if t == "documents_documentnumber"
                else ("id" if t in maxima else "petition_id")
            )
            probe_of = {"event_id": E, "petition_id": P}.get(probe_col, t)
            cur.execute(f"SELECT min({probe_col}) FROM {t}")
            first = cur.fetchone()[0]
            for k in range(1, times):
                if resume and first is not None:  # this copy of this table already written?
                    cur.execute(
                        f"SELECT 1 FROM {t} WHERE {probe_col} = %s",
                        [first + k * maxima[probe_of]],
                    )
                    if cur.fetchone():
                        continue
                cur.execute(sql, [k])
                n += cur.rowcount
            secs = time.perf_counter() - t0
            result["tables"][t] = {"rows_added": n, "seconds": round(secs, 1)}
            say(f"  {t}: +{n} rows, {secs:.0f} s")

        t0 = time.perf_counter()
        for t, cols in TALLIES.items():
            if _columns(cur, t):
                sets = ", ".join(f"{c} = {c} * {times}" for c in cols)
                cur.execute(f"UPDATE {t} SET {sets}")
        if _columns(cur, "analytics_ratesasof"):
            cur.execute(
                "UPDATE analytics_ratesasof SET petitions = petitions * %s, "
                "last_petition_id = CASE WHEN last_petition_id >= %s THEN last_petition_id + %s ELSE last_petition_id END, "
                "last_event_id = CASE WHEN last_event_id >= %s THEN last_event_id + %s ELSE last_event_id END, "
                "last_evaluation_id = CASE WHEN last_evaluation_id >= %s THEN last_evaluation_id + %s ELSE last_evaluation_id END",
                [
                    times,
                    maxima[P], (times - 1) * maxima[P],
                    maxima[E], (times - 1) * maxima[E],
                    maxima.get("feedback_evaluation", 0), (times - 1) * maxima.get("feedback_evaluation", 0),
                ],
            )  # fmt: skip
        # the chain heads: the last record of each chain, so new writes append after the copies
        if lite:  # (the ids: AUTOINCREMENT's sqlite_sequence follows the copies by itself)
            last = "FROM audit_auditrecord r WHERE r.chain = audit_audithead.chain"
            cur.execute(
                f"UPDATE audit_audithead SET seq = (SELECT MAX(r.seq) {last}), "
                f"hash = (SELECT lower(hex(r.hash)) {last} ORDER BY r.seq DESC LIMIT 1) "
                f"WHERE EXISTS (SELECT 1 {last})"
            )
        else:
            cur.execute(
                "UPDATE audit_audithead h SET seq = r.seq, hash = encode(r.hash, 'hex') FROM ("
                " SELECT DISTINCT ON (chain) chain, seq, hash FROM audit_auditrecord"
                " ORDER BY chain, seq DESC) r WHERE r.chain = h.chain"
            )
        for t in tables if not lite else []:
            if t in maxima:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
                )
        result["seconds_rollups_heads"] = round(time.perf_counter() - t0, 1)
        say(f"  tallies ×{times}, heads, sequences: {result['seconds_rollups_heads']} s")

        result["seconds_indexes"] = round(rebuild_indexes(cur, say), 1)
        t0 = time.perf_counter()
        if lite:
            from xinfang.core.planner import planner_statistics_refresh

            planner_statistics_refresh(sample_rows=None)  # every row, as bench_seed ends
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
        else:
            cur.execute("SET session_replication_role = DEFAULT")
            cur.execute("VACUUM ANALYZE")
        result["seconds_vacuum_analyze"] = round(time.perf_counter() - t0, 1)
        say(f"  analyze: {result['seconds_vacuum_analyze']} s")
        cur.execute(
            "SELECT count(*), SUM(CASE WHEN is_open THEN 1 ELSE 0 END) FROM petitions_petition"
        )
        result["petitions_after"], result["open_after"] = (int(x) for x in cur.fetchone())
        if lite:
            cur.execute("PRAGMA page_count")
            pages = int(cur.fetchone()[0])
            cur.execute("PRAGMA page_size")
            result["database_bytes"] = pages * int(cur.fetchone()[0])
        else:
            cur.execute("SELECT pg_database_size(current_database())")
            result["database_bytes"] = int(cur.fetchone()[0])
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--times", type=int, default=10, help="K: petitions afterwards = K × before")
    ap.add_argument(
        "--unlogged", action="store_true", help="the fanned-out tables without WAL (benchmark only)"
    )
    ap.add_argument(
        "--resume",
        action="store_true",
        help="go on after an interrupted run: the originals' largest ids from the sequences, copies already written skipped",
    )
    ap.add_argument("--rebuild-indexes", action="store_true", help="only finish an interrupted run")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    _setup()
    from django.db import connection

    def say(m: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {m}", flush=True)

    if a.rebuild_indexes:
        with connection.cursor() as cur:
            rebuild_indexes(cur, say)
        return
    if a.times < 2:
        sys.exit("--times must be at least 2")
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    r = fan_out(a.times, say, unlogged=a.unlogged, resume=a.resume)
    r.update(
        {
            "load_before": load_before,
            "load_after": Path("/proc/loadavg").read_text().split()[:3],
            "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "database": str(connection.settings_dict["NAME"]),
            "cpu_seconds": round(time.process_time(), 1),
        }
    )
    out = Path(
        a.out
        or ROOT
        / "bench"
        / "results"
        / f"fanout-{r['petitions_after']}-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    )
    out.write_text(json.dumps(r, ensure_ascii=False, indent=1))
    say(f"done: {r['petitions_after']} petitions, {r['seconds']} s; {out}")


if __name__ == "__main__":
    main()
