"""The text work shared between scopes gives the same numbers as doing it per scope."""

from xinfang.insight.hot.issues import hot_issues
from xinfang.insight.hot.vectors import HashedBodies, body_hasher


def test_bodies_cut_once_are_the_bodies_cut_each_time():
    bodies = ["青山县幸福小区楼下餐馆油烟噪声扰民", "幸福路路灯损坏多日无人维修", "", "公积金贷款"]
    cache = HashedBodies()
    first = cache.matrix(["a", "b", "c"], bodies[:3])
    again = cache.matrix(["d", "b", "a", "c"], [bodies[3], bodies[1], bodies[0], bodies[2]])
    direct = body_hasher().transform([b or "。" for b in bodies])
    assert (first != direct[:3]).nnz == 0
    assert (again != direct[[3, 1, 0, 2]]).nnz == 0
    assert cache.cut == 4 and cache.reused == 3
    small = HashedBodies(max_nnz=1)  # over its bound: forgotten, cut again, same numbers
    small.matrix(["a", "b"], bodies[:2])
    assert (small.matrix(["b", "a"], [bodies[1], bodies[0]]) != direct[[1, 0]]).nnz == 0


def test_issues_with_the_shared_cut_are_the_issues_without():
    rows = [
        {"id": str(i), "title": t, "body": b, "time": f"2025-08-{10 + i % 15:02d}"}
        for i, (t, b) in enumerate(
            [("幸福小区楼下餐馆油烟扰民", "幸福小区楼下三家餐馆油烟和噪声严重影响居民休息")] * 4
            + [("幸福路路灯损坏无人维修", "幸福路路灯损坏多日，夜间出行很不安全")] * 3
            + [("咨询公积金贷款额度", "想了解公积金贷款的额度和办理条件")] * 2
        )
    ]
    cache = HashedBodies()
    hot_issues(rows[:5], now="2025-09-01", hashed_bodies=cache)  # another scope first
    assert hot_issues(rows, now="2025-09-01", hashed_bodies=cache) == hot_issues(
        rows, now="2025-09-01"
    )
