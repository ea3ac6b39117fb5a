"""Benchmark of category suggestion on real public messages (Teddy Cup 2020, problem C).

    python bench/insight/classify_bench.py [--data ../shared/data/teddy/messages_dev.csv]

(a) grouped k-fold cross-validation of ``LinearTextClassifier`` on ``messages_dev.csv``: messages
    sharing a title or a body (ignoring punctuation) stay in one fold, so reposts cannot leak;
    prints macro-F1 mean ± sd over folds, pooled per-class figures and confidence calibration;
(b) single-petition ``suggest`` latency (p50/p95 over 1000 calls) and bulk throughput, pinned to
    one CPU core with one BLAS thread;
(c) the baseline, a plain character 1–3-gram TF-IDF + LinearSVC, on the same folds.

The data is read where it lies (never copied into the project).  See RESULTS.md for figures.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from xinfang.insight.classify.classifier import (  # noqa: E402
    LinearParams,
    LinearTextClassifier,
    _key_text,
    evaluate,
    read_messages_csv,
    repost_groups,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "teddy" / "messages_dev.csv"


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def baseline_predict(tr_titles, tr_bodies, tr_y, te_titles, te_bodies):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    X = vec.fit_transform([t + b for t, b in zip(tr_titles, tr_bodies, strict=True)])
    model = LinearSVC().fit(X, tr_y)
    return model.predict(
        vec.transform([t + b for t, b in zip(te_titles, te_bodies, strict=True)])
    ).tolist()


def calibration(conf: np.ndarray, right: np.ndarray, bins: int = 10) -> dict:
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - right[m].mean())
    hi = conf >= 0.9
    return {
        "ece": ece,
        "share_ge_0.9": hi.mean(),
        "accuracy_ge_0.9": right[hi].mean() if hi.any() else float("nan"),
        "accuracy_lt_0.9": right[~hi].mean() if (~hi).any() else float("nan"),
    }


def fmt_report(name: str, scores: list[float], pooled: dict) -> str:
    lines = [
        f"### {name}",
        f"macro-F1 over folds: {statistics.mean(scores):.4f} ± {statistics.stdev(scores):.4f}"
        f"  (folds: {', '.join(f'{s:.4f}' for s in scores)})",
        f"pooled out-of-fold: macro-F1 {pooled['macro_f1']:.4f}, accuracy {pooled['accuracy']:.4f}",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for lab, m in pooled["per_class"].items():
        lines.append(
            f"| {lab} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="messages_dev.csv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0, help="fold shuffling seed")
    ap.add_argument(
        "--extra-titles",
        type=Path,
        default=None,
        help="titles_extra.csv: also report a run with these titles added to every training fold",
    )
    ap.add_argument("--load", type=Path, default=None, help="messages for timing (default: --data)")
    ap.add_argument("--skip-cv", action="store_true", help="only time the model")
    args = ap.parse_args(argv)

    from sklearn.model_selection import StratifiedGroupKFold

    print(f"# classify_bench  {datetime.now():%Y-%m-%d %H:%M}")
    print(
        f"python {platform.python_version()}, {platform.machine()}, os.cpu_count()={os.cpu_count()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    rows = [r for r in read_messages_csv(args.data) if r.get("label")]
    titles = [r["title"] for r in rows]
    bodies = [r["body"] for r in rows]
    y = np.asarray([r["label"] for r in rows])
    labels = sorted(set(y.tolist()))
    groups = repost_groups(titles, bodies)
    print(f"data {args.data}: {len(rows)} labelled messages, {len(set(groups.tolist()))} groups")
    params = LinearParams()
    print(f"model params: {params}")

    if not args.skip_cv:
        extra = []
        if args.extra_titles:
            extra = [r for r in read_messages_csv(args.extra_titles) if r.get("label")]
        cv = StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed)
        splits = list(cv.split(np.zeros(len(y)), y, groups))
        runs = {"model": ([], [None] * len(y)), "baseline": ([], [None] * len(y))}
        if extra:
            runs["model + titles_extra"] = ([], [None] * len(y))
        conf = np.zeros(len(y))
        t_cv = time.perf_counter()
        for k, (tr, te) in enumerate(splits, 1):
            tr_t, tr_b, tr_y = [titles[i] for i in tr], [bodies[i] for i in tr], y[tr].tolist()
            te_rows = [(titles[i], bodies[i]) for i in te]
            t0 = time.perf_counter()
            model = LinearTextClassifier(params).fit(tr_t, tr_b, tr_y)
            fit_s = time.perf_counter() - t0
            sug = model.suggest_many(te_rows, top_k=0)
            preds = {"model": [s.label for s in sug]}
            conf[te] = [s.confidence for s in sug]
            preds["baseline"] = baseline_predict(
                tr_t, tr_b, tr_y, [t for t, _ in te_rows], [b for _, b in te_rows]
            )
            if extra:
                held = {_key_text(titles[i]) for i in te}
                add = [r for r in extra if _key_text(r["title"]) not in held]
                m2 = LinearTextClassifier(params).fit(
                    tr_t + [r["title"] for r in add],
                    tr_b + [""] * len(add),
                    tr_y + [r["label"] for r in add],
                )
                preds["model + titles_extra"] = m2.predict(te_rows)
            for name, p in preds.items():
                scores, pooled = runs[name]
                scores.append(evaluate(y[te].tolist(), p, labels)["macro_f1"])
                for i, lab in zip(te, p, strict=True):
                    pooled[i] = lab
            print(
                f"fold {k}: train {len(tr)}, test {len(te)}, fit {fit_s:.1f}s, "
                + ", ".join(f"{n} {runs[n][0][-1]:.4f}" for n in runs),
                flush=True,
            )
        print(f"cross-validation took {time.perf_counter() - t_cv:.0f}s\n")
        for name, (scores, pooled) in runs.items():
            print(fmt_report(name, scores, evaluate(y.tolist(), pooled, labels)))
            print()
        right = np.asarray(runs["model"][1]) == y
        cal = calibration(conf, right)
        print(
            "confidence calibration (model, out-of-fold): "
            f"ECE {cal['ece']:.3f}; {cal['share_ge_0.9']:.1%} of messages get confidence >= 0.9 "
            f"and {cal['accuracy_ge_0.9']:.1%} of those are right; "
            f"the rest are right {cal['accuracy_lt_0.9']:.1%} of the time\n"
        )

    # ---- speed: one core -------------------------------------------------------------------
    print("## speed (" + pin_one_core() + ")")
    t0 = time.perf_counter()
    model = LinearTextClassifier(params).fit(titles, bodies, y.tolist())
    print(f"training on all {len(y)} messages: {time.perf_counter() - t0:.1f}s")
    load_rows = rows if args.load is None else read_messages_csv(args.load)
    pairs = [(r["title"], r["body"]) for r in load_rows]
    chars = statistics.mean(len(t) + len(b) for t, b in pairs)
    print(f"timing messages: {len(pairs)} from {args.load or args.data}, mean {chars:.0f} chars")
    for t, b in pairs[:50]:
        model.suggest(t, b)  # warm-up
    lat = []
    for i in range(1000):
        t, b = pairs[i % len(pairs)]
        t0 = time.perf_counter()
        model.suggest(t, b)
        lat.append(time.perf_counter() - t0)
    lat_ms = np.asarray(lat) * 1e3
    print(
        f"suggest() latency over 1000 calls: p50 {np.percentile(lat_ms, 50):.2f} ms, "
        f"p95 {np.percentile(lat_ms, 95):.2f} ms, max {lat_ms.max():.2f} ms"
    )
    bulk = (pairs * (1 + 10000 // len(pairs)))[:10000]
    for name, fn in (
        ("suggest_many (label, confidence, top terms)", lambda rs: model.suggest_many(rs)),
        ("predict (labels only)", model.predict),
    ):
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            for i in range(0, len(bulk), 1000):
                fn(bulk[i : i + 1000])
            best = max(best, len(bulk) / (time.perf_counter() - t0))
        print(f"bulk {name}, batches of 1000: {best:,.0f} petitions/s (best of 3)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
