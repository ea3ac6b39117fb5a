"""Hot issues: petitions about one matter in one place are grouped, ranked and watched."""

from datetime import datetime, timedelta

from xinfang.insight.hot.issues import hot_issues, weekly_surges

NOW = datetime(2024, 6, 30, 12, 0)

NOISE = [
    (
        "金桂园小区旁工地夜间施工噪音扰民",
        "金桂园小区旁边的工地每天晚上十一点后还在施工，噪音很大，居民无法入睡。",
    ),
    (
        "投诉金桂园小区附近工地夜间施工噪音",
        "金桂园小区附近工地夜间施工，噪音扰民严重，请环保部门查处。",
    ),
    (
        "金桂园小区工地深夜施工噪音严重",
        "我们是金桂园小区的业主，旁边工地深夜施工噪音严重，影响休息。",
    ),
    ("金桂园旁工地夜间噪音扰民何时解决", "金桂园小区旁的工地夜间施工噪音扰民，多次反映没有解决。"),
    ("再次反映金桂园小区工地夜间施工扰民", "金桂园小区旁工地夜间施工，噪音扰民，老人孩子睡不好。"),
]
OTHERS = [
    ("咨询新生儿医保办理流程", "孩子刚出生，想问新生儿医保在哪里办理，需要什么材料。"),
    ("某公司拖欠农民工工资三个月", "我们在某公司做工三个月，工资一直没有发，老板不接电话。"),
    ("公交线路调整后换乘不便", "公交线路调整以后，去医院要换乘两次，希望恢复原来的线路。"),
    ("学校收取额外资料费是否合规", "孩子所在学校每学期额外收取资料费两百元，请问是否合规。"),
]


def _rows(items, start, step_days, prefix, users=True):
    """Rows for ``items``, plus unrelated petitions around them (a window is never one matter)."""
    return _plain(items, start, step_days, prefix, users) + _plain(
        OTHERS, NOW - timedelta(days=25), 4, "bg-" + prefix
    )


def _plain(items, start, step_days, prefix, users=True):
    return [
        {
            "id": f"{prefix}{i}",
            "title": t,
            "body": b,
            "time": start + timedelta(days=i * step_days),
            "user": f"u{prefix}{i}" if users else "",
        }
        for i, (t, b) in enumerate(items)
    ]


def test_one_estates_noise_complaints_form_one_issue_apart_from_unrelated_petitions():
    rows = _rows(NOISE, NOW - timedelta(days=20), 3, "n")
    issues = hot_issues(rows, now=NOW, window_days=60, min_size=2)
    assert len(issues) == 1
    top = issues[0]
    assert set(top.member_ids) == {f"n{i}" for i in range(5)}
    assert top.size == 5 and top.people == 5
    assert "金桂园" in top.label + "".join(top.terms)
    assert top.span_days == 12
    assert top.first < top.last


def test_people_counts_distinct_writers_only_and_is_never_a_list():
    rows = _rows(NOISE, NOW - timedelta(days=10), 1, "n")
    for r in rows[:5]:
        r["user"] = "same-writer"
    issue = hot_issues(rows, now=NOW, window_days=30, min_size=3)[0]
    assert issue.size == 5 and issue.people == 1
    assert "same-writer" not in repr(issue)


def test_petitions_outside_the_window_are_ignored():
    rows = _plain(NOISE, NOW - timedelta(days=200), 1, "n")
    assert hot_issues(rows, now=NOW, window_days=90, min_size=3) == []


def test_a_sudden_weekly_rise_is_flagged_as_a_surge():
    base = NOW - timedelta(days=70)
    quiet = [NOISE[i % 3] for i in range(8)]
    rows = _rows(quiet, base, 7, "q")  # about one a week for eight weeks
    burst = [NOISE[i % 3] for i in range(7)]
    rows += _plain(burst, NOW - timedelta(days=4), 0.5, "b")  # seven in the last week
    issue = hot_issues(rows, now=NOW, window_days=90, min_size=3)[0]
    assert issue.size == 15
    assert issue.weekly[-1] >= 7
    assert issue.surge is True
    assert issue.surge_weeks[-1] == issue.week_starts[-1]
    assert issue.growth > 3


def test_a_steady_issue_raises_no_surge():
    rows = _rows([NOISE[i % 5] for i in range(10)], NOW - timedelta(days=69), 7, "s")
    issue = hot_issues(rows, now=NOW, window_days=90, min_size=3)[0]
    assert issue.surge is False and issue.surge_weeks == ()


def test_weekly_surges_need_three_times_the_usual_level_and_at_least_five():
    assert weekly_surges([2, 2, 2, 2, 7]) == [False, False, False, False, True]
    assert weekly_surges([2, 2, 2, 2, 6]) == [False] * 5  # not more than 3 x 2
    assert weekly_surges([0, 0, 0, 4]) == [False] * 4  # under the floor of 5
    assert weekly_surges([5]) == [True]  # a new matter arriving in force


def test_issues_are_ranked_by_people_affected():
    small = [
        (
            "银杏苑小区电梯故障物业不维修",
            "银杏苑小区三号楼电梯故障停运，老人上下楼困难，物业不维修。",
        ),
        ("银杏苑小区电梯故障无人维修", "银杏苑小区三号楼电梯故障一个月了，物业一直不维修。"),
        ("投诉银杏苑小区物业不修电梯", "银杏苑小区三号楼电梯故障停运，物业推脱不维修。"),
    ]
    rows = _rows(NOISE, NOW - timedelta(days=20), 3, "n") + _plain(
        small, NOW - timedelta(days=10), 1, "m"
    )
    issues = hot_issues(rows, now=NOW, window_days=60, min_size=3)
    assert [i.size for i in issues] == [5, 3]
    assert issues[0].member_ids[0] == "n0"


def test_string_times_and_missing_writers_are_accepted():
    rows = _rows(NOISE, NOW - timedelta(days=20), 3, "n", users=False)
    for r in rows[:5]:
        r["time"] = r["time"].strftime("%Y-%m-%d %H:%M:%S")
    issue = hot_issues(rows, now=NOW, window_days=60, min_size=3)[0]
    assert issue.people == 5  # rows without a writer id count one each


def test_an_issue_names_its_place_and_other_matters_there_stay_apart():
    lift = [
        (
            "金桂园小区电梯故障物业不维修",
            "金桂园小区三号楼电梯故障停运，老人上下楼困难，物业不维修。",
        ),
        ("金桂园小区电梯故障无人维修", "金桂园小区三号楼电梯故障一个月了，物业一直不维修。"),
        ("投诉金桂园小区物业不修电梯", "金桂园小区三号楼电梯故障停运，物业推脱不维修。"),
    ]
    rows = _rows(NOISE, NOW - timedelta(days=20), 3, "n") + _plain(
        lift, NOW - timedelta(days=10), 1, "m"
    )
    issues = hot_issues(rows, now=NOW, window_days=60, min_size=3)
    assert [(i.size, i.place) for i in issues] == [(5, "金桂园"), (3, "金桂园")]
    assert {m[0] for m in issues[1].member_ids} == {"m"}


def test_a_matter_raised_across_places_names_no_place():
    subsidy = [
        ("咨询人才购房补贴申请条件", "想问人才购房补贴的申请条件，本科学历是否可以申请。"),
        ("人才购房补贴什么时候发放", "去年申请的人才购房补贴至今没有发放，请问什么时候发放。"),
        ("咨询人才购房补贴办理流程", "人才购房补贴需要什么材料，在哪里办理，流程是怎样的。"),
    ]
    issue = hot_issues(_rows(subsidy, NOW - timedelta(days=10), 1, "s"), now=NOW, min_size=3)[0]
    assert issue.size == 3 and issue.place == ""
