"""Three-level video reception (省市县三级视频接访, Art. 18): a video session joins at most three
organs, one per level; the link comes from the configured service (none by default; a Jitsi
room on the self-hosted server, never guessable); the record lists each level's participants."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.reception.services import record_participants_set, record_write, session_levels_set
from xinfang.reception.video import JitsiVideo, session_room_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def video_session(publish):
    return publish(on=date(2025, 9, 2), video=True, place="")


def test_a_video_session_joins_one_organ_per_level_and_at_most_three(world, video_session):
    # the county office (county) with the city office and the province's government
    done = session_levels_set(
        actor=world.clerk,
        session_id=video_session.pk,
        organ_ids=[world.city_po.pk, world.prov_gov.pk],
    )
    assert {lv.organ_id for lv in done} == {world.city_po.pk, world.prov_gov.pk}
    with pytest.raises(ApplicationError) as e:  # two county organs: one level twice
        session_levels_set(
            actor=world.clerk, session_id=video_session.pk, organ_ids=[world.housing.pk]
        )
    assert "每一级" in str(e.value.fields)
    with pytest.raises(ApplicationError) as e:  # a fourth organ
        session_levels_set(
            actor=world.clerk,
            session_id=video_session.pk,
            organ_ids=[world.city_po.pk, world.prov_gov.pk, world.city_housing.pk],
        )
    assert "三级" in str(e.value.fields)
    assert video_session.levels.count() == 2  # the refusals changed nothing
    with pytest.raises(NotFound):  # the housing bureau does not manage the office's session
        session_levels_set(actor=world.handler, session_id=video_session.pk, organ_ids=[])


def test_only_a_video_session_joins_levels(world, publish):
    s = publish(on=date(2025, 9, 2))
    with pytest.raises(ApplicationError):
        session_levels_set(actor=world.clerk, session_id=s.pk, organ_ids=[world.city_po.pk])


def test_the_link_is_none_by_default_and_a_jitsi_room_when_configured(
    settings, video_session, publish
):
    assert session_room_url(video_session) == ""
    settings.XINFANG_VIDEO_BACKEND = "jitsi"
    settings.XINFANG_JITSI_URL = "https://meet.example.gov.cn/"
    url = session_room_url(video_session)
    assert url.startswith("https://meet.example.gov.cn/xinfang-") and len(url) > 45
    other = publish(on=date(2025, 9, 4), video=True, place="")
    assert session_room_url(other) != url  # each session its own room
    assert session_room_url(publish(on=date(2025, 9, 5))) == ""  # not a video session
    for bad in ("http://meet.example.gov.cn", "meet.example.gov.cn", "https://x/?room=1"):
        with pytest.raises(ImproperlyConfigured):
            JitsiVideo(bad, "secret")
    settings.XINFANG_VIDEO_BACKEND = "zoom"
    with pytest.raises(ImproperlyConfigured):
        session_room_url(video_session)


def test_the_record_lists_each_levels_participants(world, leader, register, video_session):
    session_levels_set(actor=world.clerk, session_id=video_session.pk, organ_ids=[world.city_po.pk])
    p = register().petition
    r = record_write(
        actor=world.clerk,
        petition_id=p.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="处理油烟",
        said="三级视频接访，当面答复",
        session_id=video_session.pk,
    )
    r = record_participants_set(
        actor=world.clerk,
        record_id=r.pk,
        people={world.county_po.pk: "王县长、李科长", world.city_po.pk: "赵副局长"},
    )
    assert [(x["organ"], x["people"]) for x in r.participants] == [
        ("青山县信访局", "王县长、李科长"),
        ("东湖市信访局", "赵副局长"),
    ]
    with pytest.raises(ApplicationError):  # an organ that did not join
        record_participants_set(
            actor=world.clerk, record_id=r.pk, people={world.prov_gov.pk: "某某"}
        )
    with pytest.raises(ApplicationError):
        record_participants_set(
            actor=world.clerk, record_id=r.pk, people={world.city_po.pk: "x\x00"}
        )


def test_the_session_and_record_pages_join_levels_and_list_participants(
    client, settings, world, leader, register, video_session
):
    settings.XINFANG_VIDEO_BACKEND = "jitsi"
    settings.XINFANG_JITSI_URL = "https://meet.example.gov.cn"
    client.force_login(world.clerk)
    body = client.get(f"/reception/sessions/{video_session.pk}/").content.decode()
    assert 'id="room-url" href="https://meet.example.gov.cn/xinfang-' in body
    assert 'name="level_0"' in body and "once" in body
    r = client.post(
        f"/reception/sessions/{video_session.pk}/levels/",
        {"level_0": world.city_po.pk, "level_1": world.prov_gov.pk, "once": "tok-lv-1"},
    )
    assert r.status_code == 302
    levels = client.get(r.url).content.decode()
    assert "东湖市信访局" in levels and "示范省人民政府" in levels
    r = client.post(  # a refusal comes back as a message, nothing changes
        f"/reception/sessions/{video_session.pk}/levels/",
        {"level_0": world.housing.pk, "once": "tok-lv-2"},
        follow=True,
    )
    assert "每一级只能有一个机关参加" in r.content.decode()
    assert video_session.levels.count() == 2
    rec = record_write(
        actor=world.clerk,
        petition_id=register().petition.pk,
        received_by_id=leader.pk,
        attendees="张三",
        asked="处理油烟",
        said="三级视频接访",
        session_id=video_session.pk,
    )
    r = client.post(
        f"/reception/records/{rec.pk}/participants/",
        {f"people_{world.city_po.pk}": "赵副局长", "once": "tok-pp-1"},
    )
    assert r.status_code == 302
    assert "东湖市信访局：赵副局长" in client.get(r.url).content.decode()
    client.force_login(world.handler)  # not the session's organ
    r = client.post(
        f"/reception/sessions/{video_session.pk}/levels/", {"level_0": "", "once": "tok-lv-3"}
    )
    assert r.status_code in (403, 404)
