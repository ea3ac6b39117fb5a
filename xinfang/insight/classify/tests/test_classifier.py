"""Category suggestion: the pure classifier module, on small synthetic petitions.

Run alone with ``python -m pytest -p no:django xinfang/insight/tests -q`` (no database needed).
"""

from __future__ import annotations

import csv
import itertools
import random

import numpy as np
import pytest

from xinfang.insight.classify.classifier import (
    FakeClassifier,
    LinearParams,
    LinearTextClassifier,
    Suggestion,
    TextClassifier,
    _CharNgramTfidf,
    evaluate,
    read_messages_csv,
    repost_groups,
)

# ---------------------------------------------------------------------------------------------
# synthetic petitions: three categories, each with its own vocabulary, built from templates

PLACES = ["A市", "A3区", "B县", "长青镇", "东湖街道", "新华村", "C2区", "河西"]
TOPICS = {
    "教育文体": {
        "subjects": ["小学", "幼儿园", "中学", "学校", "培训机构"],
        "problems": ["乱收学费", "教师体罚学生", "招生不公平", "校车超载", "食堂卫生差"],
        "asks": ["请教育局调查", "希望学校整改", "请求规范办学"],
    },
    "环境保护": {
        "subjects": ["化工厂", "养猪场", "砂石场", "搅拌站", "造纸厂"],
        "problems": ["排放污水", "废气刺鼻", "噪音扰民", "粉尘污染", "偷排废水"],
        "asks": ["请环保局查处", "希望停产整治", "请求监测水质"],
    },
    "交通运输": {
        "subjects": ["公交车", "出租车", "客运班车", "货车", "渡船"],
        "problems": ["拒载乘客", "票价乱涨", "线路停运", "超速行驶", "站点撤销"],
        "asks": ["请交通局处理", "希望恢复线路", "请求加强运管"],
    },
}


def _petitions(seed: int, per_class: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for label, t in TOPICS.items():
        combos = list(itertools.product(PLACES, t["subjects"], t["problems"]))
        rng.shuffle(combos)
        for place, subject, problem in combos[:per_class]:
            ask = rng.choice(t["asks"])
            title = f"{place}{subject}{problem}"
            body = f"我们{place}的{subject}长期{problem}，群众意见很大，{ask}，谢谢！"
            rows.append((title, body, label))
    rng.shuffle(rows)
    return rows


TRAIN = _petitions(seed=1, per_class=40)
TEST = [r for r in _petitions(seed=2, per_class=40) if r[0] not in {t for t, _, _ in TRAIN}]


@pytest.fixture(scope="module")
def model() -> LinearTextClassifier:
    titles, bodies, labels = zip(*TRAIN, strict=True)
    return LinearTextClassifier().fit(titles, bodies, labels)


# ---------------------------------------------------------------------------------------------
# LinearTextClassifier


def test_fit_and_suggest_on_unseen_petitions(model):
    assert model.labels == tuple(sorted(TOPICS))
    assert isinstance(model, TextClassifier)
    suggestions = model.suggest_many((t, b) for t, b, _ in TEST)
    assert len(suggestions) == len(TEST) > 30
    right = sum(s.label == y for s, (_, _, y) in zip(suggestions, TEST, strict=True))
    assert right / len(TEST) >= 0.95
    one = model.suggest("B县化工厂偷排废水", "化工厂每天晚上偷排废水，河里的鱼都死了。")
    assert isinstance(one, Suggestion) and one.label == "环境保护"


def test_confidences_are_probabilities(model):
    rows = [(t, b) for t, b, _ in TEST] + [("", ""), ("你好", "。。。"), ("Hello", "abc")]
    proba = model.predict_proba(rows)
    assert proba.shape == (len(rows), len(model.labels))
    assert np.all(proba >= 0) and np.all(proba <= 1)
    assert np.allclose(proba.sum(axis=1), 1.0)
    for s, p in zip(model.suggest_many(rows), proba, strict=True):
        assert 0.0 <= s.confidence <= 1.0
        assert s.confidence == pytest.approx(p.max())
    assert model.temperature > 0


def test_top_terms_come_from_the_text(model):
    for title, body, _ in TEST:
        s = model.suggest(title, body)
        assert 1 <= len(s.top_terms) <= 5
        for term in s.top_terms:
            assert term in title + body
            assert not any(ch in term for ch in "，。！A3") and not term.isascii()
    fewer = model.suggest_many([TEST[0][:2]], top_k=2)[0]
    assert len(fewer.top_terms) <= 2
    assert model.suggest_many([TEST[0][:2]], top_k=0)[0].top_terms == ()
    assert model.suggest("", "").top_terms == ()


def test_predict_matches_suggest(model):
    rows = [(t, b) for t, b, _ in TEST[:20]]
    assert model.predict(rows) == [s.label for s in model.suggest_many(rows)]
    assert model.suggest_many([]) == [] and model.predict([]) == []


def test_save_load_round_trip(model, tmp_path):
    path = tmp_path / "model.joblib"
    model.save(path)
    loaded = LinearTextClassifier.load(path)
    assert loaded.version == model.version and loaded.labels == model.labels
    rows = [(t, b) for t, b, _ in TEST]
    assert loaded.suggest_many(rows) == model.suggest_many(rows)
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(ValueError):
        LinearTextClassifier.load(tmp_path / "junk.joblib")


def test_a_model_saved_before_insight_had_sub_packages_still_loads(model, tmp_path, monkeypatch):
    """Saved models name their classes' modules: one written when the classifier was the flat
    module ``xinfang.insight.classifier`` loads through ``insight.pickles``."""
    import sys
    import types

    from xinfang.insight import pickles
    from xinfang.insight.classify.classifier import tfidf

    old = types.ModuleType("xinfang.insight.classifier")
    old._CharNgramTfidf = tfidf._CharNgramTfidf  # type: ignore[attr-defined]
    path = tmp_path / "old.joblib"
    with monkeypatch.context() as m:  # write the file as the old layout did
        m.setitem(sys.modules, "xinfang.insight.classifier", old)
        m.setattr(tfidf._CharNgramTfidf, "__module__", "xinfang.insight.classifier")
        model.save(path)
    assert "xinfang.insight.classifier" not in sys.modules
    rows = [("小区噪音", "楼下餐馆噪音扰民")]
    assert LinearTextClassifier.load(path).suggest_many(rows) == model.suggest_many(rows)
    monkeypatch.setattr(pickles, "MOVED", {})
    with pytest.raises(ValueError):  # without the old name the file names a missing module
        LinearTextClassifier.load(path)


def test_version_identifies_data_and_params(model):
    titles, bodies, labels = zip(*TRAIN, strict=True)
    again = LinearTextClassifier().fit(titles, bodies, labels)
    assert again.version == model.version and model.version.startswith("linear-char-")
    other_data = LinearTextClassifier().fit(titles[1:], bodies[1:], labels[1:])
    other_params = LinearTextClassifier(LinearParams(C=2.0)).fit(titles, bodies, labels)
    assert len({model.version, other_data.version, other_params.version}) == 3


def test_progress_and_errors():
    titles, bodies, labels = zip(*TRAIN[:60], strict=True)
    calls: list[tuple[int, int]] = []
    LinearTextClassifier().fit(titles, bodies, labels, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] and [d for d, _ in calls] == list(range(1, len(calls) + 1))
    with pytest.raises(RuntimeError):
        LinearTextClassifier().suggest("a", "b")
    with pytest.raises(ValueError):
        LinearTextClassifier().fit(["a", "b"], ["c", "d"], ["x", "x"])
    with pytest.raises(ValueError):
        LinearTextClassifier().fit(["a"], ["c", "d"], ["x", "y"])


def test_two_labels_and_tiny_corpus():
    rows = [r for r in TRAIN if r[2] != "交通运输"][:12]
    titles, bodies, labels = zip(*rows, strict=True)
    m = LinearTextClassifier(LinearParams(min_df=50)).fit(titles, bodies, labels)
    assert len(m.labels) == 2
    s = m.suggest("A市养猪场排放污水", "养猪场排放污水")
    assert s.label in m.labels and 0 <= s.confidence <= 1


def test_fast_tfidf_equals_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [t + "。" + b for t, b, _ in TRAIN] + ["😀表情X", "𠀀生僻字", "", "ab"]
    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False, min_df=1
    ).fit(docs)
    fast = _CharNgramTfidf(vec.vocabulary_, vec.idf_, 1, 3)
    probe = docs[:5] + ["全新的字串😀", "", "公交车公交车公交车"]
    diff = vec.transform(probe) - fast.transform(probe)
    assert abs(diff).max() < 1e-6 if diff.nnz else True
    fid = vec.vocabulary_["公交车"]
    assert fast.term(fid) == "公交车"


def test_repost_groups():
    g = repost_groups(["甲", "乙", "甲！", "丙", ""], ["一", "二", "三", "二", ""])
    assert g[0] == g[2] and g[1] == g[3] and len({g[0], g[1], g[4]}) == 3


# ---------------------------------------------------------------------------------------------
# FakeClassifier


def test_fake_classifier_is_deterministic():
    fake = FakeClassifier()
    assert isinstance(fake, TextClassifier)
    a = fake.suggest("小区物业乱收费", "物业公司向业主乱收停车费")
    assert a == fake.suggest("小区物业乱收费", "物业公司向业主乱收停车费")
    assert a.label == "城乡建设" and a.confidence == 1.0 and a.top_terms[0] == "物业"
    assert FakeClassifier().version == fake.version
    rows = [("学校乱收费", ""), ("", "河里有污水"), ("你好", "")]
    out = fake.suggest_many(rows)
    assert [s.label for s in out] == ["教育文体", "环境保护", "城乡建设"]
    assert out[2] == Suggestion("城乡建设", 0.0, ())


def test_fake_classifier_table_and_ties():
    fake = FakeClassifier({"甲": ["苹果"], "乙": ["香蕉"]}, default="乙")
    assert fake.labels == ("甲", "乙")
    tie = fake.suggest("苹果香蕉", "")
    assert tie.label == "甲" and tie.confidence == 0.5
    assert fake.suggest("", "西瓜") == Suggestion("乙", 0.0, ())
    assert fake.suggest("香蕉", "苹果").label == "乙"  # title counts twice
    with pytest.raises(ValueError):
        FakeClassifier({"甲": ["苹果"]}, default="丙")


# ---------------------------------------------------------------------------------------------
# evaluate


def test_evaluate_hand_checked():
    y_true = ["a", "a", "a", "b", "b", "c"]
    y_pred = ["a", "a", "b", "b", "c", "c"]
    r = evaluate(y_true, y_pred, ["a", "b", "c"])
    # a: P=2/2 R=2/3 F1=0.8;  b: P=1/2 R=1/2 F1=0.5;  c: P=1/2 R=1/1 F1=2/3
    assert r["per_class"]["a"] == pytest.approx(
        {"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3}
    )
    assert r["per_class"]["b"] == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    )
    assert r["per_class"]["c"]["f1"] == pytest.approx(2 / 3)
    assert r["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert r["accuracy"] == pytest.approx(4 / 6)
    assert r["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert r["labels"] == ("a", "b", "c")
    # a label never predicted nor present counts as F1 0 in the macro mean
    assert evaluate(["a"], ["a"], ["a", "z"])["macro_f1"] == pytest.approx(0.5)
    assert evaluate(["a"], ["a"])["macro_f1"] == 1.0


# ---------------------------------------------------------------------------------------------
# read_messages_csv


def test_read_teddy_format_with_bom(tmp_path):
    p = tmp_path / "m.csv"
    with p.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "body", "time", "label"])
        w.writerow(["s00001", "A市小区停水", "已经停水三天，\n请尽快恢复。", "", "城乡建设"])
        w.writerow(["", "", "", "", ""])
        w.writerow(
            ["270568", "学校乱收费", '收费"很高"，家长负担重', "2018-07-10 22:39:22", "教育文体"]
        )
    rows = read_messages_csv(p)
    assert [r["id"] for r in rows] == ["s00001", "270568"]
    assert rows[0]["body"] == "已经停水三天，\n请尽快恢复。" and rows[0]["label"] == "城乡建设"
    assert rows[1]["body"] == '收费"很高"，家长负担重' and rows[1]["time"].startswith("2018")


def test_read_chinese_headers_gbk_and_titles_only(tmp_path):
    p = tmp_path / "orig.csv"
    text = (
        "留言编号,留言用户,留言主题,留言时间,留言详情,一级标签\n"
        '24,A00074011,噪音扰民,2020/1/6,"\t工地夜间施工\n",环境保护\n'
    )
    p.write_bytes(text.encode("gb18030"))
    (row,) = read_messages_csv(p)
    assert row["id"] == "24" and row["user"] == "A00074011" and row["title"] == "噪音扰民"
    assert row["body"] == "工地夜间施工" and row["label"] == "环境保护"
    q = tmp_path / "titles.csv"
    q.write_text("title,label\n关于房屋质量问题,城乡建设\n", encoding="utf-8")
    assert read_messages_csv(q) == [
        {"id": "1", "title": "关于房屋质量问题", "body": "", "label": "城乡建设"}
    ]


def test_read_simple_headerless(tmp_path):
    p = tmp_path / "simple.csv"
    p.write_text("7,公交停运,公交线路停运了\n8,学校收费,学校乱收费,教育文体\n\n", encoding="utf-8")
    rows = read_messages_csv(p)
    assert rows[0] == {"id": "7", "title": "公交停运", "body": "公交线路停运了"}
    assert rows[1]["label"] == "教育文体"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert read_messages_csv(empty) == []
