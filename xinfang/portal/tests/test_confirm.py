"""The portal's check before sending (issue 12 item 13): the form shows what will be sent, the
petitioner goes back to edit or confirms, and nothing typed or attached is lost on the way;
an anonymous submission keeps no name, phone or address (Art. 23 para 2); the status page shows
when the notice is due (Arts. 22, 23) and what the petitioner sent.

Planted faults this module catches: the review step registering at once (the no-petition-yet
assertion fails); the held files not added on review (the confirmed petition has no
attachment); anonymous details kept (the party or the confirm page shows the name)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import local
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db

FORM = {
    "region": "990102",
    "category": "appeal",
    "title": "幸福路路灯损坏三个月无人修",
    "content": "青山县幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。",
    "name": "李四",
    "phone": "13900000000",
    "address": "青山县幸福路 20 号",
    "privacy_read": "on",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(local(2025, 9, 1), tick=False):
        yield
    cache.clear()


def _token(client) -> str:  # type: ignore[no-untyped-def]
    html = client.get("/portal/submit/?region=990102").content.decode()
    return re.search(r'name="once" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _hidden(html: str) -> dict[str, list[str]]:
    """The confirm form's fields, as the browser would send them back."""
    form = html[html.index('id="confirm-form"') :]
    out: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        out.setdefault(name, []).append(value)
    out.pop("csrfmiddlewaretoken", None)
    return out


def test_the_review_step_shows_what_will_be_sent_and_registers_nothing(client, world):
    token = _token(client)
    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    r = client.post("/portal/submit/", {**FORM, "once": token, "step": "review", "attachments": photo})
    html = r.content.decode()
    assert r.status_code == 200 and "核对提交内容" in html
    assert FORM["title"] in html and "李四" in html and "现场照片.png" in html
    assert "确认提交" in html and "返回修改" in html
    assert not Petition.objects.exists()  # nothing sent yet

    # back to edit: everything typed is there, the file is listed as held
    back = client.post("/portal/submit/", {**_hidden(html), "step": "edit"}).content.decode()
    assert f'value="{FORM["title"]}"' in back and "现场照片.png" in back and 'id="held-uploads"' in back
    assert not Petition.objects.exists()

    # check again, then confirm: one petition, with the file
    again = client.post("/portal/submit/", {**_hidden(html), "step": "review"}).content.decode()
    assert "confirm-form" in again, re.findall(r"errorlist.*", again)
    assert again.count("现场照片.png") == 1  # held once, not twice
    r = client.post("/portal/submit/", {**_hidden(again), "step": "confirm"})
    assert r.status_code == 302 and "/portal/submitted/" in r["Location"]
    p = Petition.objects.get()
    assert [a.original_name for a in p.attachments.all()] == ["现场照片.png"]
    assert p.title == FORM["title"]


def test_the_review_step_refuses_what_the_form_refuses(client, world):
    r = client.post("/portal/submit/", {**FORM, "once": _token(client), "step": "review", "title": ""})
    assert r.status_code == 400 and "confirm-form" not in r.content.decode()


def test_an_anonymous_submission_keeps_no_name_phone_or_address(client, world):
    token = _token(client)
    form = {**FORM, "once": token, "is_anonymous": "on", "id_number": "110101199001011234"}
    html = client.post("/portal/submit/", {**form, "step": "review"}).content.decode()
    assert "匿名提出" in html
    for typed in ("李四", "13900000000", "幸福路 20 号", "110101199001011234"):
        assert typed not in html  # not shown, not carried in the hidden fields
    client.post("/portal/submit/", {**_hidden(html), "step": "confirm"})
    p = Petition.objects.get()
    assert p.is_anonymous and not p.parties.exists()


def test_the_form_explains_and_its_script_clears_the_fields_when_anonymous(client, world):
    html = client.get("/portal/submit/?region=990102").content.decode()
    assert 'id="anonymous-note"' in html and "portal/anonymous.js" in html
    assert 'value="review"' in html  # the form's button leads to the check first


def test_the_status_page_shows_the_notice_due_date_and_what_was_sent(client, world):
    token = _token(client)
    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    r = client.post("/portal/submit/", {**FORM, "once": token, "attachments": photo})
    code = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    html = client.get(f"/portal/p/{code}/").content.decode()
    due = re.search(r'id="notice-due">(\d{4}-\d{2}-\d{2})', html)
    assert due, html
    # submitted on 2025-09-01 to the county petition office: T1, 15 days (Art. 22)
    assert due.group(1) == "2025-09-16"
    assert "第二十二条" in html
    sent = html[html.index('id="submitted"') :]
    assert FORM["content"] in sent and "现场照片.png" in sent
