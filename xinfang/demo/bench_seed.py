"""``xinfang manage bench_seed``: a realistic history of many petitions for the benchmarks
(issue 14) and the analysis pages (issue 16), written in bulk.

How it stays real at ten million petitions:

1. **Templates through the real services.** On an empty database the demo generator
   (``demo_seed``) builds the province and drives a few thousand petitions through
   ``petition_register`` and ``petition_act`` step by step: every path of the workflow table
   (transfers, objections, acknowledgements, extensions, opinions, reviews, re-reviews,
   hearings, settlements, void), with their deadlines, document numbers, audit records and seals.
2. **Copies in bulk.** Each further petition copies one template's history, moved in time by
   whole weeks (the weekday of each step stays): closed ones anywhere in ``years`` years, open
   ones near today. It gets its own tracking code, a citizen's text from ``--text-dir``, its own
   parties (identity numbers and phones encrypted as the app stores them, with their blind
   indexes), its deadlines folded again from the moved events over the working calendar in force
   (``deadlines.tracker``, Arts. 22–36), a document number (文号) per document in its organ's
   yearly sequence, satisfaction evaluations for some answers (regulation §8), its search words,
   and its audit records: the template's records moved in time, ending with the seal of the
   petition as written (``petitions.seal``), chained exactly as ``audit_append`` chains them.
3. **Rollups rebuilt**: the tally, the rate and volume rollups (``analytics``).

Left to the templates only: the records other apps keep about a petition (reception, supervision,
prevention ledgers), repeat links (``repeat_of``) and attachments (files on disk). A copy's
earlier seals (one per step, as the services write them) carry a placeholder digest: verify
checks only the last seal of each petition, which is the real digest.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.core.planner import planner_statistics_refresh
from xinfang.deadlines.models import Deadline
from xinfang.demo.bench_copy import _Batch, _Ctx, _Template
from xinfang.demo.bench_jobs import JOBS_MAX
from xinfang.demo.bench_text import DEFAULT_TEXT_DIR, people, text_pool
from xinfang.demo.bench_write import SORT_CACHE_MIB, indexes_deferred, sqlite_cache
from xinfang.directory.models import Organ
from xinfang.documents.models import DocumentCounter, DocumentNumber
from xinfang.feedback.models import Evaluation
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.seal import (
    EVENT_FIELDS,
    PARTY_FIELDS,
    PETITION_FIELDS,
)
from xinfang.workbench.models import PetitionTerm, PetitionWords
from xinfang.workbench.words import GIN_INDEX, gin_index_sql

BATCH = 2_000  # copies written per transaction
DEFER_INDEXES_AT = 20_000  # copies from which the indexes are built after the load
CLOSED_SHARE = 0.85  # issue 14: about 85 % of five years' petitions are closed


#: ``--jobs`` on SQLite: one writer at a time is all SQLite has, so more processes would wait.
JOBS_POSTGRESQL_ONLY = (
    "--jobs 仅适用于 PostgreSQL：SQLite 同一时间只能有一个写入者（--jobs is PostgreSQL only）"
)

TEMPLATES_MAX = 2_000  # the first petitions of the database (those of the services) are copied


def default_templates(n: int) -> int:
    """How many petitions go through the real services before copying starts."""
    return min(n, max(100, min(TEMPLATES_MAX, n // 50)))


def bench_seed(
    *,
    petitions: int,
    years: int = 5,
    seed: int = 7,
    text_dir: str | None = DEFAULT_TEXT_DIR,
    templates: int | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> dict[str, Any]:
    """Add ``petitions`` petitions with their history; on an empty database the first
    ``templates`` are driven through the services (``demo_seed``). ``jobs``: worker processes
    making the copies (PostgreSQL only; ``bench_jobs``). Returns counts and seconds."""
    say = progress or (lambda _m: None)
    if jobs > 1 and connection.vendor != "postgresql":
        raise ValueError(JOBS_POSTGRESQL_ONLY)
    if not 1 <= jobs <= JOBS_MAX:
        raise ValueError(f"jobs: 1 … {JOBS_MAX}")
    started, cpu0 = time.perf_counter(), _cpu()
    rng = random.Random(seed)
    made = 0
    if not Petition.objects.exists():
        t = templates if templates is not None else default_templates(petitions)
        from xinfang.demo.seed import demo_seed

        say(f"模板：{t} 件信访事项经由办理服务逐步生成…")
        demo_seed(seed=seed, petitions=t, progress=say)
        made = Petition.objects.count()
    t_templates = time.perf_counter() - started
    copies = max(0, petitions - made)
    say(f"复制：{copies} 件（{years} 年）…")
    bulk = (
        Petition, PetitionEvent, Deadline, Party, AuditRecord, PetitionTerm, PetitionWords,
        Evaluation,
    )  # fmt: skip
    gin = [(GIN_INDEX, gin_index_sql())] if connection.vendor == "postgresql" else []
    cpu_copies = _cpu()
    with (
        sqlite_cache(mib=SORT_CACHE_MIB),
        indexes_deferred(bulk, when=copies >= DEFER_INDEXES_AT, raw=gin),
    ):
        counts = _copy_all(
            copies, years=years, rng=rng, text_dir=text_dir, say=say, jobs=jobs, seed=seed
        )
        t_copies = time.perf_counter() - started - t_templates
        cpu_copies = _cpu() - cpu_copies
        if copies >= DEFER_INDEXES_AT:
            say("重建索引…")
    t_indexes = time.perf_counter() - started - t_templates - t_copies
    say("重建计数与指标汇总…")
    from xinfang.analytics.dispatch import dispatch_rebuild
    from xinfang.analytics.services import rates_rebuild, tally_rebuild
    from xinfang.petitions.services.worklist_tally import worklist_tally_rebuild

    rollups = {}
    for name, rebuild in (
        ("tally", tally_rebuild), ("worklist_tally", worklist_tally_rebuild),
        ("rates", rates_rebuild), ("dispatch", dispatch_rebuild),
    ):  # fmt: skip
        t0 = time.perf_counter()
        rebuild()
        rollups[name] = round(time.perf_counter() - t0, 1)
    t_stats = time.perf_counter()
    planner_statistics_refresh(sample_rows=None)  # SQLite: the planner's statistics, all rows
    t_stats = time.perf_counter() - t_stats
    states = Counter(Petition.objects.values_list("state", flat=True).order_by())
    return {
        **counts,
        "jobs": jobs,
        "petitions": sum(states.values()),
        "templates": made,
        "copies": copies,
        "states": dict(sorted(states.items())),
        "seconds_templates": round(t_templates, 1),
        "seconds_copies": round(t_copies, 1),
        "seconds_indexes": round(t_indexes, 1),
        "seconds_rollups": rollups,
        "copies_per_second": round(copies / t_copies) if t_copies > 0 else None,
        "cpu_seconds_copies": round(cpu_copies, 1),
        "cpu_seconds": round(_cpu() - cpu0, 1),
        "seconds_analyze": round(t_stats, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished jobs (user + system; not the
    database server's)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _load_templates(limit: int) -> list[_Template]:
    pids = list(Petition.objects.order_by("pk").values_list("pk", flat=True)[:limit])
    by_id = {
        p["id"]: _Template(p)
        for p in Petition.objects.filter(pk__in=pids).values("id", "query_secret", *PETITION_FIELDS)
    }
    for e in (
        PetitionEvent.objects.filter(petition_id__in=pids)
        .order_by("petition_id", "seq")
        .values("id", "petition_id", *EVENT_FIELDS)
    ):
        by_id[e["petition_id"]].events.append(e)
    numbered = set(
        DocumentNumber.objects.filter(event__petition_id__in=pids).values_list(
            "event_id", flat=True
        )
    )
    for t in by_id.values():
        t.numbered = {e["seq"] for e in t.events if e["id"] in numbered}
    for row in (
        Party.objects.filter(petition_id__in=pids)
        .order_by("pk")
        .values("petition_id", *PARTY_FIELDS)
    ):
        by_id[row["petition_id"]].parties.append(row)
    for pid, uid in Petition.accused_staff.through.objects.filter(petition_id__in=pids).values_list(
        "petition_id", "user_id"
    ):
        by_id[pid].accused.append(uid)
    for r in (
        AuditRecord.objects.filter(object_type="petition", object_id__in=[str(i) for i in pids])
        .order_by("chain", "seq")
        .values(
            "kind", "at", "actor_id", "actor_name", "organ_id", "ip", "object_id", "data", "seal"
        )
    ):
        by_id[int(r["object_id"])].audit.append(r)
    return [by_id[i] for i in pids if by_id[i].events]


def _copy_all(
    n: int,
    *,
    years: int,
    rng: random.Random,
    text_dir: str | None,
    say,
    jobs: int = 1,
    seed: int = 7,
) -> dict[str, int]:  # type: ignore[no-untyped-def]
    if n <= 0:
        return {}
    tpls = _load_templates(limit=TEMPLATES_MAX)
    pool = text_pool(text_dir, rng)
    crowd = people(rng, max(1000, min(200_000, n // 3)))
    say(f"  模板 {len(tpls)} 件，文本 {len(pool.texts)} 条（{pool.source}）")
    organs = {o.pk: o for o in Organ.objects.all()}
    first = (Petition.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    base = dict(
        pool=pool, crowd=crowd, organs=organs, today=clock.today(), years=years,
    )  # fmt: skip
    if jobs <= 1:
        ctx = _Ctx(rng=rng, **base)
        totals = _copy_range(ctx, tpls, range(first, first + n), say=say, total=n)
        with transaction.atomic():
            ctx.ids.reset_sequences()
            _counters_save(ctx.counters)
        return totals
    from xinfang.demo.bench_jobs import copy_parallel

    return copy_parallel(
        run=_copy_range, make_ctx=_Ctx, tpls=tpls, base=base, first=first, n=n, jobs=jobs,
        seed=seed, say=say, counters_save=_counters_save,
    )  # fmt: skip


def _copy_range(
    ctx: _Ctx, tpls: list[_Template], pids, *, say, total: int, tick=None
) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Copies numbered ``pids`` (in batches of ``BATCH``, one transaction each)."""
    closed = [t for t in tpls if not t.p["is_open"]]
    opened = [t for t in tpls if t.p["is_open"]]
    rng = ctx.rng
    totals: Counter[str] = Counter()
    pids = list(pids)
    for start in range(0, len(pids), BATCH):
        chunk = pids[start : start + BATCH]
        with transaction.atomic():
            batch = _Batch(ctx)  # bench_copy
            for pid in chunk:
                src = closed if (rng.random() < CLOSED_SHARE and closed) or not opened else opened
                batch.copy(rng.choice(src), pid)
            for name, c in batch.write().items():
                totals[name] += c
        done = start + len(chunk)
        if tick is not None:
            tick(len(chunk))
        elif (done // BATCH) % 10 == 0 or done == len(pids):
            say(f"  {done}/{total}")
    return dict(totals)


def _counters_save(counters: dict[tuple[int, str, int], int]) -> None:
    """The register continues after the numbers given to the copies (documents.services)."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(organ_id=o, code=c, year=y, last=n) for (o, c, y), n in counters.items()],
        update_conflicts=True,
        unique_fields=["organ", "code", "year"],
        update_fields=["last"],
        batch_size=1000,
    )
