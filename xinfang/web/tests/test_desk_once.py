"""Issue 12, items 2 and 3 at the desk and on the portal: a refresh, a second click or a retry
of a form that registers never registers twice (POST/redirect/GET and a one-time token); a form
that comes back with an error keeps its attachments and its dates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.core import clock
from xinfang.petitions.models import Petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

DESK = {
    "title": "幸福小区餐馆油烟扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "received_on": "2025-08-28",
    "region_code": "990102",
    "category": "appeal",
    "route": "6",
    "p_name": "张三",
    "p_phone": "13800000000",
}
PORTAL = {
    "region": "990102",
    "category": "appeal",
    "title": "幸福路路灯损坏三个月无人修",
    "content": "青山县幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。",
    "name": "李四",
    "phone": "13900000000",
    "address": "青山县幸福路 20 号",
    "privacy_read": "on",
}


def _token(html: str) -> str:
    m = re.search(r'name="once" value="([^"]+)"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def _scan(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")


def test_the_desk_answers_a_registration_with_a_redirect_and_a_second_post_registers_nothing(
    client, world
):
    client.force_login(world.clerk)
    token = _token(client.get("/intake/letter/").content.decode())
    r = client.post("/intake/letter/", {**DESK, "once": token})
    assert r.status_code == 302 and "/intake/receipt/" in r["Location"]
    receipt = client.get(r["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200 and "登记回执" in html
    assert re.search(r'<strong class="big">\d{8}</strong>', html), "the password is shown"
    assert client.get(r["Location"]).status_code == 200  # a reload of the receipt
    again = client.post("/intake/letter/", {**DESK, "once": token})  # resubmitted
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert Petition.objects.count() == 1


def test_back_and_the_same_form_sent_again_with_a_fresh_token_lands_on_the_first_receipt(
    client, world
):
    """The browser's Back button re-shows the sent form with its values restored but a fresh
    one-time token (the page is fetched again): sending it registers nothing new."""
    client.force_login(world.clerk)
    first = client.post(
        "/intake/letter/",
        {**DESK, "once": _token(client.get("/intake/letter/").content.decode())},
    )
    assert first.status_code == 302
    password = re.search(
        r'<strong class="big">(\d{8})</strong>', client.get(first["Location"]).content.decode()
    )
    fresh = _token(client.get("/intake/letter/").content.decode())  # Back: a new token
    again = client.post("/intake/letter/", {**DESK, "once": fresh})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Petition.objects.count() == 1
    html = client.get(again["Location"]).content.decode()
    assert "没有再次登记" in html, "the clerk is told why no second receipt came"
    assert password and password.group(1) in html, "the first password is still the one shown"
    # a different petition from the same desk is registered as usual
    other = client.post(
        "/intake/letter/",
        {
            **DESK,
            "title": "另一件事",
            "once": _token(client.get("/intake/letter/").content.decode()),
        },
    )
    assert other.status_code == 302 and other["Location"] != first["Location"]
    assert Petition.objects.count() == 2


def test_the_desk_receipt_says_until_when_it_shows_the_password_and_then_stops(client, world):
    client.force_login(world.clerk)
    r = client.post(
        "/intake/letter/",
        {**DESK, "once": _token(client.get("/intake/letter/").content.decode())},
    )
    html = client.get(r["Location"]).content.decode()
    assert "只显示这一次" not in html
    assert "30 分钟内" in html and "之后不再显示" in html
    assert re.search(r'<strong class="big">\d{8}</strong>', html)
    with time_machine.travel(clock.now() + timedelta(minutes=31), tick=False):
        html = client.get(r["Location"]).content.decode()
    assert not re.search(r'<strong class="big">\d{8}</strong>', html)
    assert "此处不再显示" in html


def test_a_desk_form_that_comes_back_keeps_its_attachment_and_its_back_dated_day(client, world):
    client.force_login(world.clerk)
    token = _token(client.get("/intake/letter/").content.decode())
    r = client.post(
        "/intake/letter/",
        {
            **DESK,
            "title": "",
            "received_on": "2025-08-20",
            "once": token,
            "attachments": [_scan("来信扫描件.pdf")],
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="2025-08-20"' in html, "the back-dated day of receipt is kept"
    assert "来信扫描件.pdf" in html, "the attachment is kept and shown"
    assert _token(html) == token
    # the clerk fills in the title and sends the form again without attaching anything
    held = re.findall(r'name="keep_upload" value="(\d+)"', html)
    r = client.post(
        "/intake/letter/",
        {
            **DESK,
            "received_on": "2025-08-20",
            "once": token,
            "held_upload": held,
            "keep_upload": held,
        },
    )
    assert r.status_code == 302
    p = Petition.objects.get()
    assert [a.original_name for a in p.attachments.all()] == ["来信扫描件.pdf"]
    assert p.received_at.date().isoformat() == "2025-08-20"


def test_an_attachment_unticked_after_an_error_is_not_saved(client, world):
    client.force_login(world.clerk)
    token = _token(client.get("/intake/letter/").content.decode())
    html = client.post(
        "/intake/letter/",
        {**DESK, "title": "", "once": token, "attachments": [_scan("a.pdf"), _scan("b.pdf")]},
    ).content.decode()
    held = re.findall(r'name="keep_upload" value="(\d+)"', html)
    assert len(held) == 2
    r = client.post(
        "/intake/letter/",
        {**DESK, "once": token, "held_upload": held, "keep_upload": held[1:]},
    )
    assert r.status_code == 302
    assert [a.original_name for a in Petition.objects.get().attachments.all()] == ["b.pdf"]


def test_the_portal_answers_a_submission_with_a_redirect_and_a_reload_submits_nothing(
    client, world
):
    token = _token(client.get("/portal/submit/?region=990102").content.decode())
    r = client.post("/portal/submit/", {**PORTAL, "once": token})
    assert r.status_code == 302 and "/portal/submitted/" in r["Location"]
    html = client.get(r["Location"]).content.decode()
    assert re.search(r'<code id="password">\d{8}</code>', html)
    html = client.get(r["Location"]).content.decode()  # a reload shows the same receipt
    assert re.search(r'<code id="password">\d{8}</code>', html)
    again = client.post("/portal/submit/", {**PORTAL, "once": token})
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert Petition.objects.count() == 1


def test_a_portal_form_that_comes_back_with_an_error_keeps_the_attachments(client, world):
    token = _token(client.get("/portal/submit/?region=990102").content.decode())
    r = client.post(
        "/portal/submit/",
        {**PORTAL, "privacy_read": "", "once": token, "attachments": [_scan("照片说明.pdf")]},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "照片说明.pdf" in html
    held = re.findall(r'name="keep_upload" value="(\d+)"', html)
    r = client.post(
        "/portal/submit/",
        {**PORTAL, "once": token, "held_upload": held, "keep_upload": held},
    )
    assert r.status_code == 302
    assert [a.original_name for a in Petition.objects.get().attachments.all()] == ["照片说明.pdf"]


def test_the_receipt_of_someone_elses_submission_is_not_shown(client, world):
    token = _token(client.get("/portal/submit/?region=990102").content.decode())
    url = client.post("/portal/submit/", {**PORTAL, "once": token})["Location"]
    client.cookies.clear()  # another browser
    r = client.get(url)
    assert r.status_code == 302 and "/portal/track/" in r["Location"]
