"""Steps that several test modules share: a petition taken through the procedure by the staff of
the ``world`` fixture (conftest.py), each step with its real date."""

from __future__ import annotations

from conftest import local

OPINION = {
    "outcome": "not_support",
    "request": "请求责令餐馆停止夜间营业",
    "facts": "经现场核查，餐馆已安装油烟净化设施，噪声监测未超标。",
    "decision": "对请求责令停业不予支持；已责成其夜间 22 时后停止室外经营。",
    "legal_basis": "《中华人民共和国噪声污染防治法》第六十四条",
}


def act(world, p, action, actor, day, reason="", **data):  # type: ignore[no-untyped-def]
    from xinfang.petitions.services import petition_act

    return petition_act(
        petition_id=p.pk, action=action, actor=actor, at=local(*day), reason=reason, data=data
    )


def opinion_delivered(world, register, *, extend: bool = True):  # type: ignore[no-untyped-def]
    """Received 2025-08-01 at the county office, transferred to the county housing bureau,
    accepted (Art. 31(6)), extended, answered with an opinion delivered on 2025-08-25."""
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    if extend:
        act(world, p, "extend", world.head, (2025, 8, 10), "需要委托环境监测机构夜间监测", days=30)
    act(world, p, "issue_opinion", world.head, (2025, 8, 20), **OPINION)
    act(world, p, "record_delivery", world.head, (2025, 8, 25), method="post", signed="true")
    p.refresh_from_db()
    return p


def review_decided(world, p, *, day=(2025, 9, 10)):  # type: ignore[no-untyped-def]
    """The review organ (the county government, one level above the housing bureau) upholds the
    opinion and delivers its review opinion on the same day."""
    act(world, p, "decide_review", world.city_head, day, outcome="uphold",
        request="请求撤销处理意见", facts="复查核实，原处理意见认定事实清楚。",
        decision="维持原处理意见。", legal_basis="《信访工作条例》第三十五条")
    act(world, p, "record_delivery", world.city_head, day, method="in_person", signed="true")
    p.refresh_from_db()
    return p


def opinion_delivered_on(world, register, day):  # type: ignore[no-untyped-def]
    """Received 2026-11-02, transferred to the county housing bureau, accepted (Art. 31(6)),
    answered with an opinion on 2026-12-28 that reaches the petitioner on ``day``: T7 runs from
    then, into 2027 (a year chinesecalendar 1.11 does not cover)."""
    p = register(received_at=local(2026, 11, 2), at=local(2026, 11, 2)).petition
    act(world, p, "transfer", world.clerk, (2026, 11, 3), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2026, 11, 5), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2026, 11, 5))
    act(world, p, "issue_opinion", world.head, (2026, 12, 28), **OPINION)
    act(world, p, "record_delivery", world.head, day, method="post", signed="true")
    p.refresh_from_db()
    return p


def portal_open(client, p, password: str = "12345678") -> None:  # type: ignore[no-untyped-def]
    """Open ``p`` on the portal as its petitioner (tests only: sets a known query password; only
    its HMAC is stored)."""
    from django.conf import settings

    from xinfang.core import ids
    from xinfang.petitions.models import Petition

    Petition.objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, password, settings.SECRET_KEY)
    )
    r = client.post("/portal/track/", {"code": p.tracking_code, "password": password})
    assert r.status_code == 302, r.content.decode()[:300]
