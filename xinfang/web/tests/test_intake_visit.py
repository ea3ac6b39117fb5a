"""The visit desk form (issue 12 item 14): its own form with the arrival time, who received the
visitors, the head count and representatives added on demand, at most five (Art. 20 para 3).

Planted faults this module catches: a sixth representative row offered (the form-full test
fails); "添加代表" registering (the no-petition assertion fails); the receiver not recorded
(the event-data assertion fails)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.petitions.models import Petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

FORM = {
    "title": "征地补偿款未足额发放",
    "content": "村里征地补偿款至今只发了一半，请求查明并足额发放。",
    "received_on": "2025-08-28",
    "region_code": "990102",
    "category": "appeal",
    "route": "6",
    "p_name": "张三",
    "p_phone": "13800000000",
}


def _rows(html: str) -> int:
    return len(re.findall(r'name="rep\d_name"', html))


def test_the_visit_form_is_its_own_with_no_empty_representative_rows(client, world):
    client.force_login(world.clerk)
    html = client.get("/intake/visit/").content.decode()
    assert 'id="arrived_time"' in html and 'id="received_by"' in html and "来访人数" in html
    assert _rows(html) == 0 and 'name="add_rep"' in html
    letter = client.get("/intake/letter/").content.decode()
    assert _rows(letter) == 5 and 'id="arrived_time"' not in letter


def test_representatives_are_added_on_demand_and_nothing_is_registered_meanwhile(client, world):
    client.force_login(world.clerk)
    scan = SimpleUploadedFile("名单.pdf", b"%PDF-1.4 list", content_type="application/pdf")
    post = {**FORM, "is_collective": "on", "head_count": "12", "once": "t-visit-1"}
    r = client.post("/intake/visit/", {**post, "add_rep": "1", "attachments": [scan]})
    html = r.content.decode()
    assert r.status_code == 200 and _rows(html) == 1 and "名单.pdf" in html
    assert FORM["content"] in html and not Petition.objects.exists()
    reps = {f"rep{i}_name": f"代表{i}" for i in range(4)}
    html = client.post("/intake/visit/", {**post, **reps, "add_rep": "1"}).content.decode()
    assert _rows(html) == 5 and 'name="add_rep"' not in html and 'id="reps-full"' in html
    assert not Petition.objects.exists()


def test_a_visit_records_its_arrival_time_and_who_received_it(client, world):
    client.force_login(world.clerk)
    reps = {"rep0_name": "李一", "rep1_name": "王二"}
    r = client.post(
        "/intake/visit/",
        {**FORM, **reps, "is_collective": "on", "head_count": "12", "arrived_time": "10:40",
         "received_by": "刘接待、陈科长"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    p = Petition.objects.get()
    assert p.channel == "visit" and p.head_count == 12
    assert p.parties.filter(role="representative").count() == 2
    at = timezone.localtime(p.received_at)
    assert (at.date().isoformat(), at.strftime("%H:%M")) == ("2025-08-28", "10:40")
    assert p.events.get(action="receive").data == {"received_by": "刘接待、陈科长"}


def test_a_bad_arrival_time_is_a_field_error_and_keeps_the_form(client, world):
    client.force_login(world.clerk)
    r = client.post("/intake/visit/", {**FORM, "arrived_time": "25:99"})
    html = r.content.decode()
    assert r.status_code == 400 and "到访时间" in html and FORM["content"] in html
    assert not Petition.objects.exists()
