"""The archive's lookups (ADR 0019): ``holds`` and ``excuses`` answer exactly what a scan of
every run and range would, with a binary search (verify asks them for every record and every
sealed object, so a linear scan made verify quadratic at production size)."""

from __future__ import annotations

import random

from xinfang.audit.archive import Archive, Run


def _brute_holds(a: Archive, chain: int, seq: int) -> bool:
    return any(r.chain == chain and r.first <= seq <= r.last for r in a.runs.values())


def _brute_excuses(a: Archive, t: str, pk: int) -> bool:
    return any(x <= pk <= y for x, y in a.unchecked.get(t, ()))


def test_lookups_agree_with_a_scan_of_every_run_and_range() -> None:
    rnd = random.Random(20261207)
    for _ in range(40):
        a = Archive(labels=["p"])
        for _ in range(rnd.randint(0, 30)):
            chain, first = rnd.randint(0, 3), rnd.randint(1, 400)
            last = first + rnd.randint(0, 20)
            a.runs[(chain, first)] = Run(chain, first, last, "x", "y", "p")
        for t in ("petition", "document"):
            for _ in range(rnd.randint(0, 12)):
                lo = rnd.randint(1, 300)  # overlapping and touching ranges, from two years
                a.unchecked.setdefault(t, []).append((lo, lo + rnd.randint(0, 15)))
        for chain in range(5):
            for seq in range(0, 430):
                assert a.holds(chain, seq) == _brute_holds(a, chain, seq), (chain, seq)
        for t in ("petition", "document", "other"):
            for pk in range(0, 330):
                assert a.excuses(t, str(pk)) == _brute_excuses(a, t, pk), (t, pk)


def test_a_range_added_after_a_lookup_is_seen() -> None:
    a = Archive(labels=["p"], unchecked={"petition": [(10, 20)]})
    assert a.excuses("petition", "15") and not a.excuses("petition", "25")
    a.unchecked["petition"].append((25, 25))
    assert a.excuses("petition", "25")
    a.runs[(1, 5)] = Run(1, 5, 9, "x", "y", "p")
    assert a.holds(1, 9) and not a.holds(1, 10) and not a.holds(2, 9)


def test_a_non_numeric_id_is_never_excused() -> None:
    a = Archive(labels=["p"], unchecked={"petition": [(1, 10**9)]})
    assert not a.excuses("petition", "P-7") and not a.excuses("petition", "")
