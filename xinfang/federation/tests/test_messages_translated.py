"""The federation inbox's refusals are translated (review-revB item 9): a peer or a staff
member reading in English gets English, as every other message of the app."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.federation.services.remedy_in import remedy_apply


@pytest.mark.django_db
def test_a_forwarded_request_that_is_no_remedy_is_refused_in_the_readers_language():
    envelope = SimpleNamespace(body={"action": "settle", "transfer_id": "x"})
    with translation.override("en"):
        with pytest.raises(ApplicationError) as e:
            remedy_apply(peer=None, envelope=envelope, now=clock.now())  # type: ignore[arg-type]
    assert e.value.message == "A request that cannot be forwarded"
    with translation.override("zh-hans"):
        with pytest.raises(ApplicationError) as e:
            remedy_apply(peer=None, envelope=envelope, now=clock.now())  # type: ignore[arg-type]
    assert e.value.message == "不能转来的请求"


@pytest.mark.django_db
def test_the_peer_forms_errors_are_in_the_readers_language():
    """walker #3: the peer form's errors were plain Chinese str on the English page."""
    from xinfang.federation import envelope as e
    from xinfang.federation.services import peer_add

    key = e.public_key_text(e.private_key_from_secret("fix7 peer"))
    with translation.override("en"):
        with pytest.raises(ApplicationError) as err:
            peer_add(name="", url="http://xf.example.gov.cn/", public_key="short")
    assert err.value.message == "The peer system's details are not right"
    assert err.value.fields["url"] == [
        "The peer's address must use https (plain http only for a loopback address of this machine)"]
    assert err.value.fields["name"] == ["The name is 1 to 100 characters"]
    assert err.value.fields["public_key"][0].startswith("The public key is 44 characters")
    peer_add(name="邻省", url="https://xf.other.example/", public_key=key)
    with translation.override("en"):
        with pytest.raises(ApplicationError) as err:
            peer_add(name="邻省", url="https://xf.other2.example/", public_key=key)
    assert err.value.fields == {"public_key": ["This public key is already recorded"],
                                "name": ["This name is already recorded"]}
    with translation.override("zh-hans"):
        with pytest.raises(ApplicationError) as err:
            peer_add(name="邻省", url="https://xf.other2.example/", public_key=key)
    assert err.value.message == "对接系统信息有误"


def test_english_pages_use_half_width_punctuation():
    """walker #12: "Status：", "Key id：", "Not delivered：", "Surge weeks：", the banner's "。"."""
    from django.template.loader import render_to_string

    with translation.override("en"):
        banner = render_to_string("deadlines/_banner.html", {
            "years": [SimpleNamespace(year=2027, open_provisional=3)]})
    assert "calendar). " in banner and "。" not in banner
    with translation.override("zh-hans"):
        banner = render_to_string("deadlines/_banner.html", {
            "years": [SimpleNamespace(year=2027, open_provisional=3)]})
    assert "）。<a" in banner
    for path in ("analytics/templates/analytics/export.html", "federation/templates/federation/peers.html",
                 "federation/templates/federation/peer_confirm.html",
                 "federation/templates/federation/_panel.html", "insight/templates/insight/hot.html",
                 "deadlines/templates/deadlines/_banner.html"):
        import pathlib

        import xinfang
        text = (pathlib.Path(xinfang.__file__).parent / path).read_text()
        assert "%}：" not in text and "%}。" not in text, path
