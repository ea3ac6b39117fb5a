"""``xinfang insight train | evaluate | classify``: the category model from the command line.

The model is trained on labelled rows (a CSV with ``title``, ``body`` and ``label``; or, with no
file, the deployment's own petitions whose category a person has confirmed) and saved in the data
folder. Everything runs offline on the CPU.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import unicodedata
from pathlib import Path

from config.env import data_dir


def default_model_path() -> Path:
    return data_dir() / "insight" / "category.joblib"


def _bar(done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(
        f"\r训练 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {time.perf_counter() - started:5.1f} s"
    )
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _rows_from_database() -> list[dict[str, str]]:
    """Petitions whose topic (事项分类) a person decided, labelled with the topic's name.

    Not the legal category of Art. 31 (申诉求决/检举控告 …): the model suggests what a matter
    is about. Only decisions recorded by people (``insight.TopicDecision``) are used."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from xinfang.insight.classify.selectors import topic_training_rows

    return topic_training_rows()


def cmd_train(args: argparse.Namespace) -> int:
    from xinfang.insight.classify.classifier import LinearTextClassifier, read_messages_csv

    rows = read_messages_csv(args.csv) if args.csv else _rows_from_database()
    rows = [r for r in rows if r.get("label")]
    labels = sorted({r["label"] for r in rows})
    if len(rows) < 10 or len(labels) < 2:
        print(
            f"训练数据不足：{len(rows)} 条、{len(labels)} 个类别（至少 10 条、2 个类别）",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    model = LinearTextClassifier().fit(
        [r["title"] for r in rows],
        [r["body"] for r in rows],
        [r["label"] for r in rows],
        progress=lambda d, t: _bar(d, t, started),
    )
    out = Path(args.model)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    print(f"已训练 {len(rows)} 条、{len(labels)} 个类别；模型版本 {model.version}；保存到 {out}")
    return 0


def _load(path: str):  # type: ignore[no-untyped-def]
    from xinfang.insight.classify.classifier import LinearTextClassifier

    if not Path(path).exists():
        print(f"没有模型文件 {path}：请先运行 xinfang insight train", file=sys.stderr)
        return None
    return LinearTextClassifier.load(path)


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def cmd_evaluate(args: argparse.Namespace) -> int:
    from xinfang.insight.classify.classifier import evaluate, read_messages_csv

    model = _load(args.model)
    if model is None:
        return 2
    rows = [r for r in read_messages_csv(args.file) if r.get("label")]
    if not rows:
        print(f"{args.file} 中没有带 label 的行", file=sys.stderr)
        return 2
    pred = model.predict((r["title"], r["body"]) for r in rows)
    labels = sorted({r["label"] for r in rows} | set(model.labels))
    rep = evaluate([r["label"] for r in rows], pred, labels)
    print(
        f"样本 {len(rows)}  macro-F1 {rep['macro_f1']:.4f}  accuracy {rep['accuracy']:.4f}  模型 {model.version}"
    )
    name_w = max(_width(x) for x in [*labels, "类别"])
    print(f"{_pad('类别', name_w)} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>7}")
    for lab in labels:
        c = rep["per_class"][lab]
        print(
            f"{_pad(lab, name_w)} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f}"
            f" {c['support']:>7}"
        )
    print("混淆矩阵（行：实际，列：预测）")
    col_w = [max(_width(lab), 5) for lab in labels]
    print(
        _pad("", name_w)
        + "".join(" " + _pad(lab, w, right=True) for lab, w in zip(labels, col_w, strict=True))
    )
    for lab, row in zip(labels, rep["confusion"], strict=True):
        print(_pad(lab, name_w) + "".join(f" {x:>{w}}" for x, w in zip(row, col_w, strict=True)))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from xinfang.insight.classify.classifier import read_messages_csv

    model = _load(args.model)
    if model is None:
        return 2
    rows = read_messages_csv(args.input)
    sugg = model.suggest_many((r["title"], r["body"]) for r in rows)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "confidence"])
        for r, s in zip(rows, sugg, strict=True):
            w.writerow([r["id"], s.label, f"{s.confidence:.4f}"])
    print(f"已分类 {len(rows)} 条，写入 {args.output}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("insight", help="category suggestion model: train, evaluate, classify")
    s = p.add_subparsers(dest="insight_cmd", required=True)
    t = s.add_parser("train", help="train on a labelled CSV, or on confirmed petitions")
    t.add_argument("--csv", help="CSV with title, body and label columns")
    t.add_argument("--model", default=str(default_model_path()))
    t.set_defaults(fn=cmd_train)
    e = s.add_parser("evaluate", help="macro-F1, per-class precision and recall, confusion matrix")
    e.add_argument("file")
    e.add_argument("--model", default=str(default_model_path()))
    e.set_defaults(fn=cmd_evaluate)
    c = s.add_parser("classify", help="read id,title,body; write id,label,confidence")
    c.add_argument("input")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--model", default=str(default_model_path()))
    c.set_defaults(fn=cmd_classify)
