"""Repeat index at scale: build N synthetic petitions, time queries and incremental adds.

    python bench/insight/repeat_bench.py [--n 1000000] [--queries 1000]

Texts are synthetic: each mixes two random passages of real messages (titles and bodies of
``../shared/data/teddy/messages_dev.csv``, read at run time as seeds only) with a generated place
name (district, road, estate), building numbers and amounts, so that n-gram statistics look like
petitions while every petition has its own details.  Queries are of three kinds:
``repost`` (an indexed petition resubmitted verbatim), ``reworded`` (same place and details, one
passage swapped for another, title changed) and ``fresh`` (a new petition).  Results are
recorded by hand in ``bench/insight/HOT.md``.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

import numpy as np

from xinfang.insight.classify.classifier import read_messages_csv
from xinfang.insight.matters.repeats import RepeatIndex

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "teddy" / "messages_dev.csv"

SUFFIX = ("小区", "花园", "家园", "新城", "苑", "公馆", "社区", "村", "大厦", "广场")
ROAD = ("路", "大道", "街", "巷")


class Generator:
    def __init__(self, seeds: list[dict[str, str]]) -> None:
        self.bodies = [r["body"] for r in seeds if len(r["body"]) >= 40]
        self.titles = [r["title"] for r in seeds if r["title"]]
        pool = "".join(self.titles)
        self.chars = sorted({c for c in pool if "\u4e00" <= c <= "\u9fff"})

    def _name(self, rng: random.Random, n: int) -> str:
        return "".join(rng.choice(self.chars) for _ in range(n))

    def _passage(self, rng: random.Random) -> str:
        b = rng.choice(self.bodies)
        n = rng.randint(40, 120)
        i = rng.randint(0, max(0, len(b) - n))
        return b[i : i + n]

    def details(self, rng: random.Random) -> tuple[str, str]:
        place = (
            f"A{rng.randint(1, 12)}区{self._name(rng, 2)}{rng.choice(ROAD)}"
            f"{self._name(rng, rng.randint(2, 3))}{rng.choice(SUFFIX)}"
        )
        extra = f"{rng.randint(1, 30)}栋{rng.randint(1, 33)}0{rng.randint(1, 9)}，涉及{rng.randint(2, 500)}00元"
        return place, extra

    def petition(
        self, rng: random.Random, place: str, extra: str, matter: str = "", again: bool = False
    ) -> tuple[str, str]:
        matter = matter or rng.choice(self.titles)[-12:]
        title = ("再次反映" if again else "") + place + matter
        body = f"{place}{self._passage(rng)}。{extra}。{self._passage(rng)}"
        return title, body

    def items(self, n: int, seed: int = 1):
        rng = random.Random(seed)
        for i in range(n):
            title, body = self.petition(rng, *self.details(rng))
            yield f"p{i}", title, body


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, p))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()

    gen = Generator(read_messages_csv(args.data))
    n = args.n
    ix = RepeatIndex()
    t0 = time.perf_counter()
    ix.rebuild(lambda: gen.items(n))
    build = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"built {len(ix):,} petitions in {build:.0f} s; index arrays {ix.nbytes() / 2**20:.0f} MiB; peak RSS {rss:.0f} MiB"
    )

    # queries: regenerate chosen petitions with the same random stream
    rng = random.Random(7)
    targets = sorted(rng.sample(range(n), args.queries))
    wanted = set(targets)
    originals = {}
    grng = random.Random(1)
    for i in range(n):
        place, extra = gen.details(grng)
        title, body = gen.petition(grng, place, extra)
        if i in wanted:
            originals[i] = (title, body, place, extra, title[len(place) :])
    qrng = random.Random(11)
    kinds: dict[str, list[tuple[str | None, str, str]]] = {
        "repost": [],
        "reworded": [],
        "fresh": [],
    }
    for i in targets:
        title, body, place, extra, matter = originals[i]
        kinds["repost"].append((f"p{i}", title, body))
        t2, b2 = gen.petition(qrng, place, extra, matter, again=True)
        kinds["reworded"].append((f"p{i}", t2, b2))
        kinds["fresh"].append((None, *gen.petition(qrng, *gen.details(qrng))))
    for kind, qs in kinds.items():
        times, top1, scores, found_any, high = [], 0, [], 0, 0
        for pid, title, body in qs:
            t = time.perf_counter()
            res = ix.query(title, body, 10)
            times.append(time.perf_counter() - t)
            if res:
                found_any += 1
                scores.append(res[0][1])
                high += res[0][1] >= 0.5
                top1 += res[0][0] == pid
        print(
            f"{kind:9s} p50 {pct(times, 50):.2f} ms  p95 {pct(times, 95):.2f} ms  max {pct(times, 100):.1f} ms"
            f" | top-1 is the original {top1}/{len(qs)} | any result {found_any}/{len(qs)}"
            f" | median top score {np.median(scores) if scores else 0:.2f}, top >= 0.5: {high}"
        )
    ex = kinds["reworded"][0]
    print("example reworded:", ex[1], "->", ix.query(ex[1], ex[2], 3))

    # incremental: adds and removes while serving
    more = list(Generator.items(gen, 2000, seed=99))
    t = time.perf_counter()
    for pid, title, body in more:
        ix.add("new-" + pid, title, body)
    add_ms = (time.perf_counter() - t) / len(more) * 1000
    t = time.perf_counter()
    for pid, _, _ in more[:1000]:
        ix.remove("new-" + pid)
    rm_ms = (time.perf_counter() - t) / 1000 * 1000
    t = time.perf_counter()
    ix.rebuild()
    compact = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"add {add_ms:.2f} ms each, remove {rm_ms:.3f} ms each, compacting rebuild {compact:.1f} s; peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
