"""Evaluating a model, and reading labelled messages from CSV files (pure)."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def evaluate(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix.

    ``confusion[i][j]`` counts items of true label ``labels[i]`` predicted as ``labels[j]``.
    Macro-F1 is the mean of the per-class F1 over ``labels`` (the challenge's measure).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    labs = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labs, zero_division=0)
    with warnings.catch_warnings():  # sklearn warns when only one label occurs
        warnings.simplefilter("ignore", UserWarning)
        cm = confusion_matrix(y_true, y_pred, labels=labs)
    return {
        "macro_f1": float(np.mean(f)) if labs else 0.0,
        "accuracy": float(accuracy_score(y_true, y_pred)) if len(y_true) else 0.0,
        "labels": tuple(labs),
        "per_class": {
            lab: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labs)
        },
        "confusion": [[int(v) for v in row] for row in cm],
    }


_ALIASES = {
    "id": ("id", "留言编号", "编号", "信访编号"),
    "user": ("user", "留言用户", "用户"),
    "title": ("title", "留言主题", "主题", "标题"),
    "body": ("body", "留言详情", "详情", "内容", "text", "content"),
    "time": ("time", "留言时间", "时间"),
    "label": ("label", "一级标签", "一级分类", "category", "类别", "分类"),
    "reply": ("reply", "答复意见", "答复"),
    "reply_time": ("reply_time", "答复时间"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
}


_CANON = {alias.lower(): key for key, names in _ALIASES.items() for alias in names}


_POSITIONAL = ("id", "title", "body", "label")


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def read_messages_csv(path: str | Path) -> list[dict[str, str]]:
    """Read petitions/messages from a CSV file.

    Accepts the public Teddy Cup files (``id,title,body,time,label``, ``title,label``,
    ``id,user,title,time,body,likes,dislikes`` …, also their original Chinese headers such as
    留言主题/留言详情/一级标签), any file whose header names ``title`` and ``body`` columns, and the
    simple header-less format ``id,title,body[,label]``.  UTF-8 (with or without BOM) or GB18030.

    Every returned dict has ``id``, ``title`` and ``body`` (``id`` is the 1-based row number when
    the file has none); ``label`` is present when the file has a label column; other columns are
    kept under their canonical (English) or original names.  Cells are stripped; blank rows are
    skipped.
    """
    text = _decode(Path(path).read_bytes())
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return []
    first = [cell.strip().lower() for cell in rows[0]]
    canon = [_CANON.get(cell, cell) for cell in first]
    if "title" in canon or "body" in canon:
        keys, data = canon, rows[1:]
    else:
        keys, data = list(_POSITIONAL), rows
    out: list[dict[str, str]] = []
    for n, row in enumerate(data, start=1):
        rec: dict[str, str] = {}
        for key, cell in zip(keys, row, strict=False):  # short/long rows
            if key and key not in rec:
                rec[key] = cell.strip()
        rec.setdefault("id", str(n))
        rec.setdefault("title", "")
        rec.setdefault("body", "")
        if not rec["id"]:
            rec["id"] = str(n)
        out.append(rec)
    return out
