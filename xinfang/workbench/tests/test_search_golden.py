"""Search finds the same petitions on every engine and every way the words are stored (ADR 0022).

A fixed set of petitions (plain Chinese letters, plus words the tsquery syntax would misread if
they were not quoted: ``c++``, ``at&t``, ``50%``, ``3.5``, ``wi-fi``) is searched by a fixed set
of queries. Each answer must equal, for indexed petitions,

* the petitions whose words (``terms_of_text``) hold every word of the query (``terms_of_query``):
  the rule the index implements, computed here in Python; and
* ``GOLDEN``: what the row-per-word index answered on SQLite and PostgreSQL before ADR 0022
  (recorded by running this test's queries on the code of that time).

A petition still queued for the index is found as well (by its text: it may be found by a little
more, never by less). Planted fault, watched failing and then restored: the tsquery's words
joined by ``|`` (any word) instead of ``&``. (Words written unquoted into the tsquery pass
here, on these texts, and fail ``test_words_storage``.)
"""

from __future__ import annotations

import pytest

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TEXTS = [
    ("锦绣家园物业公司乱收费", "小区物业公司擅自上调停车费，电梯频繁故障，业主多次反映未整改。"),
    ("幸福小区物业不作为", "物业服务差，垃圾清运不及时，请求责令物业公司整改。"),
    ("宏达建设拖欠农民工工资", "我们三十人在工地务工，被拖欠工资共计3.5万元，多次讨要无果。"),
    ("讨要被拖欠的劳务工资", "项目负责人以甲方未付工程款为由推脱，拖欠工人工资八个月。"),
    ("餐馆油烟噪声扰民", "楼下三家餐馆每晚营业至凌晨，油烟直排、噪声严重，影响居民休息。"),
    ("工厂夜间排放刺鼻废气", "化工厂经常在夜间排放刺鼻气体，附近居民出现咳嗽症状，噪声也很大。"),
    ("征地补偿款未足额发放", "双庙村集体土地被征收，村民至今未足额领取补偿款，每亩少两千元。"),
    ("不动产权证迟迟无法办理", "交房已十个月，因开发商欠缴土地出让金，业主无法办理不动产权证。"),
    (
        "开发商逾期交房",
        "开发商承诺年底交房，至今已逾期八个月，工地长期停工，业主一边还房贷一边租房。",
    ),
    ("学区划分不合理", "我家距实验小学仅五百米，却被划入三公里外的学校，孩子上学极不方便。"),
    (
        "培训机构停业拒不退费",
        "机构突然停业，负责人拒不退费，涉及学员一百二十人，请求督促退还培训费。",
    ),
    (
        "建议增设电动自行车充电设施",
        "居民楼道内飞线充电现象严重，存在火灾隐患，建议建设集中充电棚。",
    ),
    ("老旧小区改造工程质量差", "施工单位偷工减料，外墙保温层刚做完就开裂脱落，施工噪声扰民。"),
    ("企业未缴纳社会保险", "公司自成立以来未给员工缴纳社会保险，员工多次提出，公司拒绝。"),
    ("工伤认定申请久拖未决", "本人在公司工作期间受伤，提交工伤认定申请至今仍无结论。"),
    ("河道垃圾清理不及时", "河道漂浮垃圾较多，夏季异味明显，建议建立河道保洁长效机制。"),
    ("宽带Wi-Fi信号差", "小区AT&T式的宽带套餐50%时间断线，运营商客服不处理，wi-fi无法使用。"),
    ("学习C++的培训班退费", "报名C++培训班缴费3.5千元，课程未开就停课，要求退费。"),
    ("物业费收费标准", "物业收费标准不公开，业主委员会要求物业公司公示收费依据。"),
    ("拖欠工程款", "总包单位拖欠分包工程款，导致农民工工资无法发放。"),
]

QUERIES = [
    "物业",
    "物业公司",
    "物业 收费",
    "拖欠工资",
    "拖欠 工程款",
    "农民工工资",
    "噪声",
    "油烟 噪声",
    "退费",
    "培训班 退费",
    "c++",
    "C++ 退费",
    "at&t",
    "wi-fi",
    "50%",
    "3.5",
    "不动产权证",
    "补偿款 村民",
    "火灾隐患",
    "学校 孩子",
    "物业 油烟",  # nothing holds both
    "航天飞机",  # nothing at all
]

#: What the row-per-word index (ADR 0007) answered before ADR 0022, the same on SQLite and
#: PostgreSQL: query -> positions in TEXTS of the petitions found.
GOLDEN: dict[str, list[int]] = {
    "物业": [0, 1, 18],
    "物业公司": [0, 1, 18],
    "物业 收费": [0, 18],
    "拖欠工资": [2, 3, 19],
    "拖欠 工程款": [3, 19],
    "农民工工资": [2, 19],
    "噪声": [4, 5, 12],
    "油烟 噪声": [4],
    "退费": [10, 17],
    "培训班 退费": [10, 17],
    "c++": [17],
    "C++ 退费": [17],
    "at&t": [],
    "wi-fi": [16],
    "50%": [16],
    "3.5": [2, 17],
    "不动产权证": [7],
    "补偿款 村民": [6],
    "火灾隐患": [11],
    "学校 孩子": [9],
    "物业 油烟": [],
    "航天飞机": [],
}


def _reference(q: str) -> list[int]:
    from xinfang.workbench.text import terms_of_query, terms_of_text

    want = set(terms_of_query(q))
    return [i for i, (t, c) in enumerate(TEXTS) if want <= terms_of_text(f"{t}\n{c}")]


@pytest.fixture
def seeded(world, register):
    return [
        register(title=t, content=c, received_at=local(2025, 8, 1 + i)).petition.pk
        for i, (t, c) in enumerate(TEXTS)
    ]


def _found(world, ids: list[int], q: str) -> list[int]:
    from xinfang.workbench.selectors import petition_search_for_user

    page = petition_search_for_user(user=world.clerk, q=q, limit=200)
    assert page.next_cursor is None
    pos = {pid: i for i, pid in enumerate(ids)}
    return sorted(pos[p.pk] for p in page.items)


def test_indexed_search_finds_exactly_the_petitions_holding_every_word(world, seeded):
    from xinfang.workbench.services import search_index_pending

    search_index_pending()
    got = {q: _found(world, seeded, q) for q in QUERIES}
    assert got == {q: _reference(q) for q in QUERIES}
    assert got == GOLDEN
    assert got["物业"] and got["c++"] and got["wi-fi"] and not got["航天飞机"]


def test_queued_petitions_are_found_too(world, seeded):
    """Not yet indexed, every petition the index would find is found (by its text)."""
    from xinfang.workbench.models import SearchPending

    assert SearchPending.objects.count() == len(TEXTS)
    for q in QUERIES:
        assert set(_reference(q)) <= set(_found(world, seeded, q)), q


def test_reindex_gives_the_same_answers(world, seeded):
    from django.core.management import call_command

    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.words import words_delete

    call_command("search_reindex", verbosity=0)
    assert not SearchPending.objects.exists()
    first = {q: _found(world, seeded, q) for q in QUERIES}
    words_delete(petition_ids=seeded)
    assert _found(world, seeded, "物业") == []  # indexed and then unindexed: not found
    call_command("search_reindex", verbosity=0)
    assert {q: _found(world, seeded, q) for q in QUERIES} == first == GOLDEN


def test_stored_words_are_the_words_cut(world, seeded):
    """What the index holds of each petition is exactly ``terms_of_text`` of it, on either
    storage (the tsvector keeps a word as jieba cut it: no parsing, no stemming)."""
    from xinfang.workbench.services import search_index_pending
    from xinfang.workbench.text import terms_of_text
    from xinfang.workbench.words import words_of

    search_index_pending()
    stored = words_of(petition_ids=seeded)
    for pid, (t, c) in zip(seeded, TEXTS, strict=True):
        assert stored[pid] == terms_of_text(f"{t}\n{c}")
