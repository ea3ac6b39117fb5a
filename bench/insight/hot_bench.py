"""Hot issues on the Teddy Cup hot-issue messages (``../shared/data/teddy/hot.csv``).

    python bench/insight/hot_bench.py [--top 10] [--window-days 400] [--threshold 0.2] [--merge 0.4] [--place-merge 0.35] [--members]

Prints the top issues (label, terms, size, people, span, surge weeks) and, with ``--members``,
the titles of their members so a person can judge whether each is really one matter.
Results are recorded by hand in ``bench/insight/HOT.md``.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import datetime, timedelta
from pathlib import Path

from xinfang.insight.classify.classifier import read_messages_csv
from xinfang.insight.hot.issues import hot_issues

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "teddy" / "hot.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--window-days", type=int, default=400)
    ap.add_argument("--threshold", type=float, default=0.2)
    ap.add_argument("--title-weight", type=float, default=0.75)
    ap.add_argument("--merge", type=float, default=0.4)
    ap.add_argument("--place-merge", type=float, default=0.35)
    ap.add_argument("--min-size", type=int, default=3)
    ap.add_argument("--members", action="store_true")
    args = ap.parse_args()

    rows = read_messages_csv(args.data)
    latest = max(r["time"] for r in rows if r.get("time"))
    now = datetime.strptime(latest[:10], "%Y-%m-%d") + timedelta(days=1)
    t0 = time.perf_counter()
    issues = hot_issues(
        rows,
        now=now,
        window_days=args.window_days,
        min_size=args.min_size,
        threshold=args.threshold,
        title_weight=args.title_weight,
        merge=args.merge,
        place_merge=args.place_merge,
    )
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(rows)} rows, now={now:%Y-%m-%d}, window={args.window_days} d, "
        f"threshold={args.threshold} merge={args.merge} place_merge={args.place_merge}: {len(issues)} issues of >= {args.min_size} "
        f"in {secs:.1f} s, peak RSS {rss:.0f} MB"
    )
    by_id = {r["id"]: r for r in rows}
    for k, h in enumerate(issues[: args.top], start=1):
        surges = ", ".join(f"{w:%Y-%m-%d}" for w in h.surge_weeks) or "-"
        print(
            f"{k:2d}. {h.label} | place {h.place or '-'} | terms {'/'.join(h.terms)} | size {h.size} people {h.people} "
            f"span {h.span_days} d ({h.first:%Y-%m-%d}..{h.last:%Y-%m-%d}) "
            f"growth {h.growth} | surge weeks {surges}"
        )
        if args.members:
            for mid in h.member_ids:
                print(f"      {by_id[mid]['time'][:10]} {by_id[mid]['title']}")


if __name__ == "__main__":
    main()
