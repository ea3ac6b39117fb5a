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

import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.core.planner import planner_statistics_refresh
from xinfang.deadlines.models import Deadline
from xinfang.demo.bench_copy import _Batch, _Ctx, _Template
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
) -> dict[str, Any]:
    """Add ``petitions`` petitions with their history; on an empty database the first
    ``templates`` are driven through the services (``demo_seed``). Returns counts and seconds."""
    say = progress or (lambda _m: None)
    started = time.perf_counter()
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
    with (
        sqlite_cache(mib=SORT_CACHE_MIB),
        indexes_deferred(bulk, when=copies >= DEFER_INDEXES_AT, raw=gin),
    ):
        counts = _copy_all(copies, years=years, rng=rng, text_dir=text_dir, say=say)
        t_copies = time.perf_counter() - started - t_templates
        if copies >= DEFER_INDEXES_AT:
            say("重建索引…")
    t_indexes = time.perf_counter() - started - t_templates - t_copies
    say("重建计数与指标汇总…")
    from xinfang.analytics.dispatch import dispatch_rebuild
    from xinfang.analytics.services import rates_rebuild, tally_rebuild
    from xinfang.petitions.services.worklist_tally import worklist_tally_rebuild

    tally_rebuild()
    worklist_tally_rebuild()
    rates_rebuild()
    dispatch_rebuild()
    t_stats = time.perf_counter()
    planner_statistics_refresh(sample_rows=None)  # SQLite: the planner's statistics, all rows
    t_stats = time.perf_counter() - t_stats
    states = Counter(Petition.objects.values_list("state", flat=True).order_by())
    return {
        **counts,
        "petitions": sum(states.values()),
        "templates": made,
        "copies": copies,
        "states": dict(sorted(states.items())),
        "seconds_templates": round(t_templates, 1),
        "seconds_copies": round(t_copies, 1),
        "seconds_indexes": round(t_indexes, 1),
        "seconds_analyze": round(t_stats, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


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
    n: int, *, years: int, rng: random.Random, text_dir: str | None, say
) -> dict[str, int]:  # type: ignore[no-untyped-def]
    if n <= 0:
        return {}
    tpls = _load_templates(limit=TEMPLATES_MAX)
    closed = [t for t in tpls if not t.p["is_open"]]
    opened = [t for t in tpls if t.p["is_open"]]
    pool = text_pool(text_dir, rng)
    crowd = people(rng, max(1000, min(200_000, n // 3)))
    say(f"  模板 {len(tpls)} 件，文本 {len(pool.texts)} 条（{pool.source}）")
    organs = {o.pk: o for o in Organ.objects.all()}
    ctx = _Ctx(rng=rng, pool=pool, crowd=crowd, organs=organs, today=clock.today(), years=years)
    totals: Counter[str] = Counter()
    done = 0
    while done < n:
        k = min(BATCH, n - done)
        with transaction.atomic():
            batch = _Batch(ctx)  # bench_copy
            for _ in range(k):
                src = closed if (rng.random() < CLOSED_SHARE and closed) or not opened else opened
                batch.copy(rng.choice(src))
            for name, c in batch.write().items():
                totals[name] += c
        done += k
        if (done // BATCH) % 10 == 0 or done == n:
            say(f"  {done}/{n}")
    with transaction.atomic():
        ctx.ids.reset_sequences()
        _counters_save(ctx.counters)
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
