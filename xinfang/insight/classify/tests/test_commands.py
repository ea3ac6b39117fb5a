"""``xinfang insight train | evaluate | classify`` on small synthetic CSV files."""

from __future__ import annotations

import csv

from xinfang.cli import main

ROWS = [
    ("小区噪音", "楼下餐馆油烟和噪音扰民，晚上无法休息。", "环境保护"),
    ("工厂排污", "化工厂偷排废水，河水发黑发臭。", "环境保护"),
    ("工地扬尘", "工地扬尘严重，空气很差，请求治理。", "环境保护"),
    ("拖欠工资", "公司拖欠工资三个月，请求帮助讨薪。", "劳动和社会保障"),
    ("社保断缴", "单位没有给员工缴纳社保，请求查处。", "劳动和社会保障"),
    ("工伤认定", "工伤认定迟迟没有结果，请求督促。", "劳动和社会保障"),
]


def _write(path, rows, with_label=True):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "body", "label"] if with_label else ["id", "title", "body"])
        for i, (t, b, y) in enumerate(rows, 1):
            w.writerow([i, t, b, y] if with_label else [i, t, b])


def test_train_evaluate_and_classify_round_trip(tmp_path, capsys):
    train, test, out, model = (
        tmp_path / n for n in ("train.csv", "test.csv", "out.csv", "m.joblib")
    )
    _write(train, ROWS * 4)
    _write(test, ROWS)
    assert main(["insight", "train", "--csv", str(train), "--model", str(model)]) == 0
    assert model.exists()
    assert main(["insight", "evaluate", str(test), "--model", str(model)]) == 0
    report = capsys.readouterr().out
    assert "macro-F1 1.0000" in report and "混淆矩阵" in report
    # the tables line up in a terminal, where a Chinese character takes two columns
    from xinfang.insight.classify.commands import _width

    matrix = report.split("混淆矩阵")[1].splitlines()[1:]
    assert len(matrix) == 1 + len({y for _t, _b, y in ROWS})
    assert len({_width(line) for line in matrix}) == 1
    _write(test, ROWS, with_label=False)
    assert main(["insight", "classify", str(test), "-o", str(out), "--model", str(model)]) == 0
    got = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["label"] for r in got] == [y for _t, _b, y in ROWS]
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in got)


def test_too_little_training_data_and_a_missing_model_are_refused_clearly(tmp_path, capsys):
    train = tmp_path / "train.csv"
    _write(train, ROWS[:3])
    assert main(["insight", "train", "--csv", str(train), "--model", str(tmp_path / "m")]) == 2
    assert "训练数据不足" in capsys.readouterr().err
    assert main(["insight", "evaluate", str(train), "--model", str(tmp_path / "none.joblib")]) == 2
    assert "请先运行 xinfang insight train" in capsys.readouterr().err
