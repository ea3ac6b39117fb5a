"""``bench_seed --jobs N``: the copies made by N worker processes at once (PostgreSQL only).

Python, not the database, bounds a single seeding process (issue 14: ~85 % of a core for
Python, ~22 % for PostgreSQL), so the copies are shared out to processes forked after the
templates, texts and people are loaded (the children inherit them), each with its own database
connection and its own transactions:

* **the audit chains**: a copy's records all go to the chain of its petition
  (``audit.chain.chain_of``); job *j* owns the chains ``c`` with ``c % N == j`` and copies only
  the petitions whose chain it owns, so every chain has one writer, appended in order, and its
  head one updater (``Chains(owned=…)``). ``audit_verify`` then checks them as any other.
* **ids**: the petitions' ids are the next ``n`` ids, split by chain as above; events, parties,
  audit records and evaluations take blocks of ids from counters the jobs share
  (``SharedIds``); the sequences are reset after the last job.
* **document numbers** (文号): each job numbers each register in a stride of its own
  (``_Ctx``), so two jobs never give the same number; the register's counter is set to the
  largest number given once every job has finished.
* **tracking codes** are random (80 bits), as the application draws them.

The texts are cut for the search index once, before the fork, by a pool of N processes.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction
from django.db.models import Max

from xinfang.audit.chain import CHAINS, chain_of
from xinfang.audit.models import AuditRecord
from xinfang.demo.bench_write import SharedIds, sequences_reset
from xinfang.feedback.models import Evaluation
from xinfang.petitions.models import Party, Petition, PetitionEvent

#: The tables whose ids the jobs take from shared counters (the petitions' are split by chain).
SHARED_IDS = (PetitionEvent, Party, AuditRecord, Evaluation)
JOBS_MAX = CHAINS  # a job owns at least one chain
POLL_SECONDS = 5.0


def chains_of_job(job: int, jobs: int) -> frozenset[int]:
    return frozenset(c for c in range(CHAINS) if c % jobs == job)


def petitions_of_jobs(first: int, n: int, jobs: int) -> list[list[int]]:
    """The ids ``first`` … ``first + n - 1``, each given to the job that owns its chain."""
    out: list[list[int]] = [[] for _ in range(jobs)]
    for pid in range(first, first + n):
        out[chain_of("petition", str(pid), None) % jobs].append(pid)
    return out


def copy_parallel(
    *,
    run: Callable[..., dict[str, int]],
    make_ctx: Callable[..., Any],
    tpls: list[Any],
    base: dict[str, Any],
    first: int,
    n: int,
    jobs: int,
    seed: int,
    say: Callable[[str], None],
    counters_save: Callable[[dict[tuple[int, str, int], int]], None],
) -> dict[str, int]:
    """Copies ``first`` … ``first + n - 1`` made by ``jobs`` processes; returns the rows written.
    ``run(ctx, tpls, pids, say=, total=, tick=)`` makes the copies of one job."""
    base["pool"].prepare(jobs)
    ctx_mp = mp.get_context("fork")
    shared = {
        m._meta.label: ctx_mp.Value("q", (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1)
        for m in SHARED_IDS
    }
    plan = petitions_of_jobs(first, n, jobs)
    say(f"  {jobs} 个进程：各 {', '.join(str(len(p)) for p in plan)} 件")
    queue = ctx_mp.Queue()
    connections.close_all()  # each child opens its own connection; none is shared over fork
    procs = [
        ctx_mp.Process(
            target=_job,
            args=(j, jobs, plan[j], shared, base, tpls, seed, queue, run, make_ctx),
            name=f"bench_seed-{j}",
        )
        for j in range(jobs)
    ]
    for p in procs:
        p.start()
    totals: Counter[str] = Counter()
    counters: dict[tuple[int, str, int], int] = {}
    finished: set[int] = set()
    errors: list[str] = []
    done = reported = 0
    import queue as queue_mod

    while len(finished) < jobs:
        try:
            msg = queue.get(timeout=POLL_SECONDS)
        except queue_mod.Empty:
            dead = [j for j, p in enumerate(procs) if j not in finished and not p.is_alive()]
            if dead:  # died without a word (killed, out of memory)
                for j in dead:
                    errors.append(f"job {j} exited with code {procs[j].exitcode}")
                    finished.add(j)
            continue
        kind, j = msg[0], msg[1]
        if kind == "tick":
            done += msg[2]
            if done - reported >= 20_000 or done == n:
                reported = done
                say(f"  {done}/{n}")
        elif kind == "done":
            finished.add(j)
            totals.update(msg[2])
            for key, last in msg[3].items():
                counters[key] = max(last, counters.get(key, 0))
        else:
            finished.add(j)
            errors.append(f"job {j}:\n{msg[2]}")
    for p in procs:
        p.join()
    if errors:
        raise RuntimeError("bench_seed: a job failed\n" + "\n".join(errors))
    with transaction.atomic():
        sequences_reset([Petition, *SHARED_IDS])
        counters_save(counters)
    return dict(totals)


def _job(j, jobs, pids, shared, base, tpls, seed, queue, run, make_ctx) -> None:  # type: ignore[no-untyped-def]
    """One job (in its own process): its copies, then ("done", j, rows, registers)."""
    try:
        ctx = make_ctx(
            rng=random.Random(seed * 1_000_003 + j),
            ids=SharedIds(shared),
            chains=chains_of_job(j, jobs),
            job=j,
            jobs=jobs,
            **base,
        )
        totals = run(
            ctx, tpls, pids, say=lambda _m: None, total=len(pids),
            tick=lambda k: queue.put(("tick", j, k)),
        )  # fmt: skip
        queue.put(("done", j, totals, ctx.counters))
    except BaseException:  # reported to the parent, which fails the seeding
        queue.put(("error", j, traceback.format_exc()))
    finally:
        connections.close_all()
