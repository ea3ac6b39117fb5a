"""Place names in titles: what joins one matter's petitions written in different words."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from xinfang.insight.hot.issues import _cluster
from xinfang.insight.hot.places import place_names, same_place, shared_place


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("投诉A2区丽发新城附近建搅拌站噪音扰民", ("丽发新城",)),
        ("A市暮云街道丽发新城社区搅拌站灰尘，噪音污染严重", ("丽发新城",)),
        ("坚决反对伊景园滨河苑捆绑销售车位", ("伊景园",)),
        ("西地省三星机床公司拒不还款", ("三星机床公司",)),
        ("A7县春华镇石塘铺村有党员家开麻将馆", ("石塘铺村",)),
        ("A市A2区向家坡小学何时能真正建成？", ("向家坡小学",)),
        ("关于A6区月亮岛路沿线架设高压线杆的投诉", ("月亮岛路",)),
        # walker: phrases cut at a suffix were shown as places (issue 14)
        ("L7县县财富中心电梯存在严重的安全隐患", ("财富中心",)),  # not 县财富中心
        ("A市望岳中心小学学生被赶走", ("望岳中心小学",)),  # 中心小学 is one word
        ("A3区奥园城市天骄楼盘半夜泵车浇灌混凝土严重扰民", ("奥园城市天骄楼盘",)),
        ("咨询L3县鱼儿山路面塌陷问题", ("鱼儿山路",)),
        ("17年A3区雨敞坪镇新卯村民无法正常接听电话", ("新卯村",)),
    ],
)
def test_the_place_a_title_names_is_found(title, names):
    assert place_names(title) == names


@pytest.mark.parametrize(
    "title",
    [
        "投诉小区附近搅拌站噪音扰民",  # a description, not a name
        "咨询A市人才购房补贴事宜",  # a policy question names no place
        "张三拖欠工资三个月",  # a person's name has no place suffix
        "",
        # phrases cut at a suffix are no place (walker, issue 14)
        "请为B8县神农谷住宿区安装路灯",  # 路灯 is no 路
        "J2区政府、J2区财政局拖欠社区工作经费下拨",
        "再次呼吁政府补贴大学生留常工作",
        "请问下A市哪个社区有13价肺炎疫苗可以打",
        "A8县2016年农村危房改造谁可买单",
        "双困家庭盼实在的经济住房",
        "请B9市严厉打击小区装修材料垄断的问题",
        "M5市公交站台广告需要城市形象",
    ],
)
def test_no_place_is_made_up(title):
    assert place_names(title) == ()


def test_one_place_spelt_longer_or_shorter_is_the_same_place():
    assert same_place("万科魅力之城", "魅力之城")
    assert not same_place("魅力之城", "伊景园")
    assert not same_place("", "伊景园")


def test_the_shared_place_needs_half_of_the_titles():
    titles = [
        "A市万科魅力之城商铺无排烟管道",
        "魅力之城小区临街门面油烟直排扰民",
        "A市万科魅力之城商铺油烟扰民",
        "咨询A市人才购房补贴事宜",
    ]
    assert shared_place(titles) == "魅力之城"  # counted together; the shorter spelling
    assert shared_place(titles[2:] + ["咨询A市购房资格问题"]) == ""
    assert shared_place([]) == ""


def _rows(*vectors):
    return csr_matrix(np.asarray(vectors, dtype=np.float32))


# Two tight groups whose centroids have cosine 0.38: below ``merge`` (0.4), above ``place_merge``.
A = [1.0, 0.0, 0.0]
B = [0.38, (1 - 0.38**2) ** 0.5, 0.0]
X = _rows(A, A, A, B, B, B)


def test_groups_naming_one_place_join_at_the_lower_similarity():
    titles = ["丽发新城附近建搅拌站噪音扰民"] * 3 + ["暮云街道丽发新城社区搅拌站灰尘"] * 3
    joined = _cluster(X, 0.9, 0.4, titles, place_merge=0.35)
    assert len(set(joined.tolist())) == 1
    apart = _cluster(X, 0.9, 0.4, titles, place_merge=1.0)  # the place rule turned off
    assert len(set(apart.tolist())) == 2


def test_groups_at_different_places_or_too_far_apart_stay_apart():
    other = ["丽发新城附近建搅拌站噪音扰民"] * 3 + ["伊景园滨河苑捆绑销售车位"] * 3
    assert len(set(_cluster(X, 0.9, 0.4, other, place_merge=0.35).tolist())) == 2
    titles = ["丽发新城附近建搅拌站噪音扰民"] * 3 + ["丽发新城小区内垃圾站散发臭味"] * 3
    assert len(set(_cluster(X, 0.9, 0.4, titles, place_merge=0.39).tolist())) == 2
