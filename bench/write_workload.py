"""A write workload on a seeded database, for what a compressed volume holds after it (ADR 0028).

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5451/disk_w XINFANG_DATA_DIR=/tmp/w
    python bench/write_workload.py --minutes 10 [--per-round 40] [--no-tick] [--out FILE.json]

What an office does all day, through the real services, in rounds until ``--minutes`` pass:
``--per-round`` petitions registered by the registrars of county petition offices (a message
of ``../shared/data/teddy/``), each then taken through six steps by the office and a competent
organ of the same county: transfer, acknowledge (Art. 31(6)), start handling, an opinion, its
delivery; the search words of the round indexed; then ``xinfang tick`` (every periodic job:
deadlines turning overdue over the whole open set, reminders, rollups, escalation) and
``VACUUM (ANALYZE)`` of the tables the round wrote. Autovacuum runs as configured meanwhile.
PostgreSQL writes what all that dirtied page by page (checkpoints, the background writer,
VACUUM's ring): on a compressed volume each 8 KB page then lands in its own compressed
extent. ``bench/compress_bench.py ratio`` measures the result.
Prints one line a round; the JSON holds the counts, errors and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OPINION = {
    "outcome": "not_support",
    "request": "请求责令停止夜间施工",
    "facts": "经现场核查，施工单位已办理夜间施工许可，噪声监测未超标。",
    "decision": "对请求责令停工不予支持；已责成其夜间 22 时后停止高噪声作业。",
    "legal_basis": "《中华人民共和国噪声污染防治法》第四十三条",
}


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("XINFANG_DATABASE_URL", "").startswith("postgres"):
        sys.exit("set XINFANG_DATABASE_URL to a seeded PostgreSQL database (a copy: it writes)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    os.environ["XINFANG_COMMAND"] = "1"
    import django

    django.setup()


def _pairs():  # type: ignore[no-untyped-def]
    """(petition office, its registrar, a competent organ of the same county, its head)."""
    from xinfang.directory.models import Level, Membership, Organ, OrganKind, Role

    def user(organ, role):  # type: ignore[no-untyped-def]
        m = (
            Membership.objects.filter(user__organ=organ, user__is_active=True, role=role)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        return m.user if m else None

    out = []
    for po in Organ.objects.filter(kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY).order_by(
        "pk"
    ):
        clerk = user(po, Role.REGISTRAR)
        if clerk is None:
            continue
        for dept in (
            Organ.objects.filter(kind=OrganKind.COMPETENT, level=Level.COUNTY, region=po.region)
            .exclude(pk=po.pk)
            .order_by("pk")
        ):
            head = user(dept, Role.ORGAN_HEAD)
            if (
                head is not None
                and Membership.objects.filter(user=head, role=Role.HANDLER).exists()
            ):
                out.append((po, clerk, dept, head))
                break
            handler = user(dept, Role.HANDLER)
            if head is not None and handler is not None:
                out.append((po, clerk, dept, (head, handler)))
                break
    return out


def _texts(n: int, rng: random.Random) -> list[tuple[str, str]]:
    from xinfang.demo.bench_text import DEFAULT_TEXT_DIR, text_pool

    pool = text_pool(DEFAULT_TEXT_DIR, rng)
    out = []
    for _ in range(n):
        _i, title, content = pool.pick(rng)
        out.append((title[:60] or "群众来信", content or title))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--per-round", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=0, help="stop after this many rounds too")
    ap.add_argument("--no-tick", action="store_true")
    ap.add_argument("--tick-force", action="store_true",
                    help="every round runs all jobs, due or not (a round as a day)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    _setup()
    from django.db import connection

    from xinfang.core import clock
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_act,
        petition_register,
    )
    from xinfang.workbench.services import search_index_pending

    rng = random.Random(args.seed)
    pairs = _pairs()
    if not pairs:
        sys.exit("no county petition office with a registrar and a competent organ with a head")
    texts = _texts(2000, rng)
    print(f"# {len(pairs)} county offices with a competent organ; load {os.getloadavg()[0]:.1f}")
    started = time.monotonic()
    totals = {"registered": 0, "steps": 0, "errors": 0, "ticks": 0, "rounds": 0}
    errors: list[str] = []
    rounds = []
    while time.monotonic() - started < args.minutes * 60 and not (
        args.rounds and totals["rounds"] >= args.rounds
    ):
        t0 = time.monotonic()
        done = steps = 0
        for _ in range(args.per_round):
            po, clerk, dept, head = rng.choice(pairs)
            head, handler = head if isinstance(head, tuple) else (head, head)
            title, content = rng.choice(texts)
            data = PetitionInput(
                channel=rng.choice(["letter", "visit", "online"]),
                title=title,
                content=content,
                region_code=po.region.code,
                category="appeal",
                route=6,
                received_at=clock.now(),
                parties=[PartyInput(role="petitioner", name=rng.choice("张王李赵刘陈杨黄") + "某",
                                    phone=f"139{rng.randint(0, 10**8 - 1):08d}")],
            )  # fmt: skip
            try:
                p = petition_register(data=data, organ=po, actor=clerk).petition
                done += 1
                for action, actor, d in (
                    ("transfer", clerk, {"to_organ_id": dept.pk}),
                    ("acknowledge", head, {"category": "appeal", "route": 6}),
                    ("start_handling", handler, {}),
                    ("issue_opinion", head, OPINION),
                    ("record_delivery", head, {"method": "post", "signed": "true"}),
                ):
                    petition_act(petition_id=p.pk, action=action, actor=actor, data=d,
                                 reason="" if action != "transfer" else "属其职权范围")  # fmt: skip
                    steps += 1
            except ApplicationError as e:
                totals["errors"] += 1
                if len(errors) < 20:
                    errors.append(f"{type(e).__name__}: {e.message} {getattr(e, 'fields', '')}")
        search_index_pending()
        t1 = time.monotonic()
        if not args.no_tick:
            subprocess.run(
                [sys.executable, "-m", "xinfang.cli", "tick", *(["--force"] if args.tick_force else [])],
                check=False,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            totals["ticks"] += 1
        t2 = time.monotonic()
        with connection.cursor() as c:
            c.execute("VACUUM (ANALYZE) petitions_petition, petitions_petitionevent, "
                      "deadlines_deadline, audit_auditrecord, petitions_party")  # fmt: skip
        t3 = time.monotonic()
        totals["registered"] += done
        totals["steps"] += steps
        totals["rounds"] += 1
        r = {"registered": done, "steps": steps, "write_s": round(t1 - t0, 1),
             "tick_s": round(t2 - t1, 1), "vacuum_s": round(t3 - t2, 1)}  # fmt: skip
        rounds.append(r)
        print(f"round {totals['rounds']:3d} {r} errors {totals['errors']} "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    out = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "minutes": round((time.monotonic() - started) / 60, 1),
        **totals,
        "first_errors": errors,
        "rounds_detail": rounds,
        "load_average_end": os.getloadavg()[0],
    }
    if args.out:
        Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "rounds_detail"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
