"""Repeat petitions (重信重访): the index finds reposts and reworded repeats, explains why."""

from xinfang.insight.matters.repeats import RepeatIndex

CORPUS = [
    (
        "a1",
        "金桂园小区旁工地夜间施工噪音扰民",
        "金桂园小区旁边的工地每天晚上十一点后还在施工，噪音很大，居民无法入睡。",
    ),
    ("a2", "咨询新生儿医保办理流程", "孩子刚出生，想问新生儿医保在哪里办理，需要什么材料。"),
    (
        "a3",
        "宏达建筑公司拖欠农民工工资三个月",
        "我们在宏达建筑公司做工三个月，工资一直没有发，老板不接电话。",
    ),
    ("a4", "公交线路调整后换乘不便", "公交线路调整以后，去医院要换乘两次，希望恢复原来的线路。"),
    ("a5", "学校收取额外资料费是否合规", "孩子所在学校每学期额外收取资料费两百元，请问是否合规。"),
    ("a6", "翠湖路路灯损坏半年无人修", "翠湖路北段的路灯坏了半年，晚上漆黑一片，行人容易摔倒。"),
]


def _index(**kw):
    ix = RepeatIndex(**kw)
    for pid, title, body in CORPUS:
        ix.add(pid, title, body)
    return ix


def test_a_verbatim_repost_is_found_first_with_full_score_and_reasons():
    ix = _index()
    pid, title, body = CORPUS[2]
    found = ix.query(title, body, 3)
    assert found[0][0] == "a3"
    assert found[0][1] > 0.95
    assert any("宏达建筑" in w for w in found[0][2])


def test_a_reworded_repeat_is_found_with_the_shared_words_as_why():
    ix = _index()
    found = ix.query(
        "再次反映宏达建筑公司拖欠工资", "宏达建筑公司至今拖欠我们农民工工资，已经三个月了。", 3
    )
    assert found and found[0][0] == "a3"
    assert found[0][1] >= 0.3
    assert any("宏达建筑" in w for w in found[0][2])


def test_an_unrelated_petition_finds_nothing():
    ix = _index()
    assert ix.query("养老保险转移接续", "从外省调回来，养老保险关系怎么转移接续？", 3) == []


def test_removed_petitions_are_no_longer_found_even_after_a_rebuild():
    ix = _index()
    assert ix.remove("a3") is True
    assert ix.remove("a3") is False
    pid, title, body = CORPUS[2]
    assert all(r[0] != "a3" for r in ix.query(title, body, 3))
    ix.rebuild()
    assert len(ix) == 5 and "a3" not in ix
    assert all(r[0] != "a3" for r in ix.query(title, body, 3))
    assert ix.query(*CORPUS[5][1:], 1)[0][0] == "a6"  # the others survive compaction


def test_adding_an_id_again_replaces_the_earlier_text():
    ix = _index()
    ix.add("a6", "咨询公积金提取", "住房公积金提取需要哪些材料？")
    assert len(ix) == 6
    assert all(r[0] != "a6" for r in ix.query(*CORPUS[5][1:], 3))
    assert ix.query("咨询公积金提取", "住房公积金提取需要哪些材料？", 1)[0][0] == "a6"


def test_postings_merged_into_the_main_arrays_are_still_found():
    ix = _index(merge_at=10)  # forces merges while adding
    assert len(ix._delta) < 30
    for pid, title, body in CORPUS:
        assert ix.query(title, body, 1)[0][0] == pid


def test_a_full_rebuild_from_a_source_gives_the_same_answers():
    ix = RepeatIndex()
    ix.rebuild(lambda: iter(CORPUS))
    assert len(ix) == 6
    for pid, title, body in CORPUS:
        assert ix.query(title, body, 1)[0][0] == pid
    assert ix.query(*CORPUS[0][1:], 1, exclude="a1") == []


def test_the_same_id_twice_in_one_batch_keeps_only_the_last_text():
    ix = RepeatIndex()
    ix.add_many([("x", *CORPUS[0][1:]), ("x", *CORPUS[2][1:])])
    assert len(ix) == 1
    assert ix.query(*CORPUS[0][1:], 3) == []
    assert ix.query(*CORPUS[2][1:], 1)[0][0] == "x"
