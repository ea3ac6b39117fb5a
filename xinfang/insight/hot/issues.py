"""Hot issues: many petitions about the same matter in the same place (pure: no Django).

Recent petitions are grouped into *issues* by text similarity: character 2–3-gram TF-IDF of the
title and of the body (title weighted higher, since it names the place and the matter), cosine
similarity, average-linkage agglomerative clustering cut at ``threshold``, then groups whose
centroids are close (``merge``) are joined — one matter written up in different words by
different people tends to form a few tight sub-groups.  Groups that name the same place
(:mod:`xinfang.insight.hot.places`: an estate, a road, a company) are joined at a lower similarity
(``place_merge``): "丽发新城附近建搅拌站噪音扰民" and "暮云街道丽发新城社区搅拌站灰尘" are one
matter although their words differ.  The place alone never joins groups: different matters at
one estate stay apart.  Each issue gets a label (the most central title, shortened), its most
distinctive terms and the place most of its titles name (empty for a matter raised across
places, such as a policy question), and is ranked by the number of people affected, volume,
growth and span.

Principle (regulation.md §11): analysis is about matters and places, never about the people who
wrote.  ``people`` is a *count* of distinct writers (anonymised ids, used for counting only and
never returned); nothing here ranks, lists or profiles petitioners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from xinfang.insight.hot.places import same_place, shared_place
from xinfang.insight.hot.vectors import HashedBodies, body_hasher
from xinfang.insight.text import _clean, _pick_terms

__all__ = ["HotIssue", "hot_issues", "weekly_surges"]

GROWTH_DAYS = 14


@dataclass(frozen=True)
class HotIssue:
    """One matter many petitions are about, within the analysed window."""

    label: str  # the most central title, shortened
    place: str  # the place or organisation most of its titles name; "" if none is shared
    terms: tuple[str, ...]  # distinctive terms of the issue (words, not people)
    size: int  # petitions
    people: int  # distinct writers (a count only); rows without a writer id count one each
    recent: int  # petitions in the last GROWTH_DAYS days before ``now``
    growth: float  # daily rate in the last GROWTH_DAYS days / daily rate before (count + 1)
    span_days: int  # last - first, in days
    first: datetime
    last: datetime
    week_starts: tuple[date, ...]  # Mondays, from the issue's first week to ``now``'s week
    weekly: tuple[int, ...]  # petitions per week, aligned with ``week_starts``
    surge: bool  # the week of ``now`` is a surge (see :func:`weekly_surges`)
    surge_weeks: tuple[date, ...]  # every week in the window that was a surge
    member_ids: tuple[str, ...]  # petition ids, oldest first


def weekly_surges(weekly: Sequence[int], *, factor: float = 3.0, floor: int = 5) -> list[bool]:
    """Per week: is its volume > ``factor`` × the median of the weeks before it, and ≥ ``floor``?

    The weeks before include quiet (zero) weeks, so a matter that suddenly brings ``floor``
    petitions in one week after a quiet spell is a surge; the first week has no history (median
    0), so a brand-new matter arriving with ``floor`` or more in one week is one too.
    """
    out = []
    for i, n in enumerate(weekly):
        usual = float(np.median(weekly[:i])) if i else 0.0
        out.append(n >= floor and n > factor * usual)
    return out


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    s = str(value or "").strip()
    if not s:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(s).replace(tzinfo=None)
    except ValueError:
        return None


def _shorten(title: str, n: int = 24) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"


def _vectorise(
    titles: list[str], bodies: list[str], title_weight: float, hashed: Any = None
) -> Any:
    """Rows of title and body TF-IDF, L2-normalised; and the names of the title columns.

    The bodies' n-grams are hashed into 2^20 columns instead of counted into a vocabulary: a
    vocabulary of every 2–3-gram of a few thousand long bodies (~800,000 entries) takes four
    times as long to build and sort, and the cosines differ by 0.0006 on average (collisions).
    The issues' words come from the titles, whose vocabulary is small. ``hashed``: the bodies'
    hashed counts when the caller has them already (``vectors.HashedBodies``: the same
    numbers, cut once for every scope)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
    from sklearn.preprocessing import normalize

    grams: dict[str, Any] = dict(analyzer="char", ngram_range=(2, 3), lowercase=False)
    vt = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **grams)
    Xt = vt.fit_transform([t or "。" for t in titles])
    if hashed is None:
        hashed = body_hasher().transform([b or "。" for b in bodies])
    Xb = TfidfTransformer(sublinear_tf=True).fit_transform(hashed)
    X = hstack([Xt * np.float32(title_weight), Xb * np.float32(1.0 - title_weight)]).tocsr()
    return normalize(X), vt.get_feature_names_out()


def _cluster(
    X: Any,
    threshold: float,
    merge: float,
    titles: Sequence[str] = (),
    place_merge: float = 1.0,
) -> np.ndarray:
    """Cluster ids: average linkage on cosine distance, cut at distance 1 - threshold; then
    clusters whose centroids have cosine >= ``merge`` are joined (one matter written up in
    different words by different people often forms a few tight sub-groups), and so are
    clusters whose ``titles`` share a named place and whose centroids reach ``place_merge``."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial.distance import squareform
    from sklearn.preprocessing import normalize

    n = X.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    S = (X @ X.T).toarray()
    D = np.clip(1.0 - S, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform(D, checks=False), method="average")
    labels = fcluster(Z, t=1.0 - threshold, criterion="distance") - 1
    if merge >= 1.0 and place_merge >= 1.0:
        return labels
    k = int(labels.max()) + 1
    member = csr_matrix((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(k, n))
    C = normalize(member @ X)
    sim = (C @ C.T).toarray()
    link = sim >= merge
    if titles and place_merge < 1.0:
        order = np.argsort(labels, kind="stable")
        groups = np.split(order, np.cumsum(np.bincount(labels, minlength=k))[:-1])
        place = [shared_place([titles[i] for i in g]) for g in groups]
        for a in range(k):
            if place[a]:
                for b in np.flatnonzero(sim[a] >= place_merge):
                    if b != a and same_place(place[a], place[int(b)]):
                        link[a, b] = link[b, a] = True
    _, joined = connected_components(csr_matrix(link), directed=False)
    return joined[labels]


def hot_issues(
    rows: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    window_days: int = 90,
    min_size: int = 3,
    threshold: float = 0.2,
    merge: float = 0.4,
    place_merge: float = 0.35,
    title_weight: float = 0.75,
    max_rows: int = 20000,
    surge_factor: float = 3.0,
    surge_floor: int = 5,
    hashed_bodies: HashedBodies | None = None,
) -> list[HotIssue]:
    """Issues among the petitions of the ``window_days`` before ``now``, hottest first.

    ``rows`` are mappings with ``id``, ``title``, ``body``, ``time`` (datetime or
    ``YYYY-MM-DD[ HH:MM[:SS]]``) and optionally ``user`` (an anonymised writer id, used only to
    count distinct writers).  Rows outside the window or without a time are ignored.  Issues of
    fewer than ``min_size`` petitions are dropped.  Ranking: people, size, growth, span.

    ``threshold`` is the mean cosine similarity (0..1) members of one group must have; groups
    whose centroids reach cosine ``merge`` are joined (``merge=1`` turns that off), and groups
    naming the same place already at ``place_merge`` (``place_merge=1`` turns that off); clustering
    is quadratic in memory, so at most ``max_rows`` petitions (the newest) are analysed.
    ``hashed_bodies``: a cache of the bodies' hashed n-grams by row ``id`` shared with other
    calls (the same issues, less work).
    """
    now = _parse_time(now) or datetime.now()
    start = now - timedelta(days=window_days)
    picked: list[tuple[datetime, Mapping[str, Any]]] = []
    for r in rows:
        t = _parse_time(r.get("time"))
        if t is not None and start < t <= now:
            picked.append((t, r))
    picked.sort(key=lambda tr: (tr[0], str(tr[1].get("id", ""))))
    picked = picked[-max_rows:]
    if len(picked) < max(min_size, 1):
        return []
    times = [t for t, _ in picked]
    titles = [_clean(r.get("title")) for _, r in picked]
    bodies = [_clean(r.get("body")) for _, r in picked]
    hashed = None
    if hashed_bodies is not None:
        # keyed by the text too: an id alone could name another text (a test's rolled-back row)
        keys = [(str(r.get("id", "")), hash(b)) for (_, r), b in zip(picked, bodies, strict=True)]
        hashed = hashed_bodies.matrix(keys, bodies)
    X, names = _vectorise(titles, bodies, title_weight, hashed)
    labels = _cluster(X, threshold, merge, titles, place_merge)

    now_week = (now - timedelta(days=now.weekday())).date()
    recent_from = now - timedelta(days=GROWTH_DAYS)
    out: list[HotIssue] = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) < min_size:
            continue
        sub = X[idx]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        central = int(idx[int(np.argmax(sub @ centroid))])
        # distinctive terms: strongest in the issue's centroid, among the titles' n-grams
        top = np.argsort(-centroid[: len(names)])[:60]
        scored = {str(names[j]): float(centroid[j]) for j in top if centroid[j] > 0}
        terms = _pick_terms(scored, 5, "".join(titles[i] for i in idx))

        writers: set[str] = set()
        anonymous = 0
        for i in idx:
            u = str(picked[i][1].get("user") or "").strip()
            if u:
                writers.add(u)
            else:
                anonymous += 1
        ts = [times[i] for i in idx]
        first, last = min(ts), max(ts)
        recent = sum(t > recent_from for t in ts)
        before = len(ts) - recent
        days_before = max((recent_from - first).total_seconds() / 86400.0, GROWTH_DAYS)
        growth = (recent / GROWTH_DAYS) / ((before + 1) / days_before)

        first_week = (first - timedelta(days=first.weekday())).date()
        n_weeks = (now_week - first_week).days // 7 + 1
        weekly = [0] * n_weeks
        for t in ts:
            weekly[((t - timedelta(days=t.weekday())).date() - first_week).days // 7] += 1
        weeks = tuple(first_week + timedelta(weeks=k) for k in range(n_weeks))
        flags = weekly_surges(weekly, factor=surge_factor, floor=surge_floor)
        out.append(
            HotIssue(
                label=_shorten(titles[central]),
                place=shared_place([titles[i] for i in idx]),
                terms=terms,
                size=len(idx),
                people=len(writers) + anonymous,
                recent=recent,
                growth=round(growth, 3),
                span_days=(last - first).days,
                first=first,
                last=last,
                week_starts=weeks,
                weekly=tuple(weekly),
                surge=bool(flags[-1]),
                surge_weeks=tuple(w for w, f in zip(weeks, flags, strict=True) if f),
                member_ids=tuple(str(picked[i][1].get("id", "")) for i in idx),
            )
        )
    out.sort(key=lambda h: (-h.people, -h.size, -h.growth, -h.span_days, h.label))
    return out
