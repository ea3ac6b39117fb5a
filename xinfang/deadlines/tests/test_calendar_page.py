"""The administrator's calendar page (/calendar/) and the admin's banner: preview, confirm,
refusals, uploads, and a reload that does nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import local
from xinfang.audit.models import AuditRecord
from xinfang.deadlines.models import Deadline, HolidayNotice

pytestmark = pytest.mark.django_db
EXAMPLE_2027 = (Path(__file__).parent / "data" / "2027-example.txt").read_text(encoding="utf-8")


@pytest.fixture
def admin(world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    return staff_create(
        username="sysadmin", password="test-pass-123", organ=None, roles=[Role.ADMIN]
    )


@pytest.fixture(autouse=True)
def december_2026():
    with time_machine.travel(local(2026, 12, 21), tick=False):
        yield


@pytest.fixture
def provisional_petition(world, register):
    """Received 20 December 2026: its T1 (15 days) ends in 2027, a provisional year."""
    return register(received_at=local(2026, 12, 20), at=local(2026, 12, 20)).petition


def test_the_page_needs_a_login_and_an_administrator(client, world):
    r = client.get("/calendar/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    client.force_login(world.clerk)
    r = client.get("/calendar/")
    assert r.status_code == 403 and "只有系统管理员" in r.content.decode()
    assert client.post("/calendar/", {"text": EXAMPLE_2027, "confirm": "1"}).status_code == 403
    assert not HolidayNotice.objects.exists()


def test_the_administrator_sees_each_year_and_which_to_confirm(client, admin, provisional_petition):
    client.force_login(admin)
    html = client.get("/calendar/").content.decode()
    assert "以下年份的节假日安排尚未确认" in html
    assert "2027 年（1 个未结期限按暂定安排计算）" in html
    assert "chinese_calendar 已收录国务院办公厅的安排" in html  # 2026
    assert "2027-02-09" in html and "春节（补假）" in html  # the provisional days, listed


def test_a_preview_shows_the_days_and_what_would_move_and_writes_nothing(
    client, admin, provisional_petition
):
    client.force_login(admin)
    r = client.post("/calendar/", {"text": EXAMPLE_2027, "preview": "1"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "预览：2027年节假日安排（测试用，虚构）（2027 年）" in html
    assert "2027-02-05 至 2027-02-12" in html and "2027-01-31" in html
    assert "确认后将重新计算 1 件信访事项" in html
    assert "确认 2027 年的安排并重新计算期限" in html
    assert EXAMPLE_2027.splitlines()[-1] in html  # the text stays in the box
    assert not HolidayNotice.objects.exists()


def test_confirming_redirects_reports_and_a_reload_does_nothing_twice(
    client, admin, provisional_petition
):
    client.force_login(admin)
    t1 = Deadline.objects.get(petition=provisional_petition)
    assert t1.provisional
    r = client.post("/calendar/", {"text": EXAMPLE_2027, "confirm": "1"})
    assert r.status_code == 302 and r["Location"] == "/calendar/"
    html = client.get("/calendar/").content.decode()
    assert "已确认 2027 年的节假日安排：重新计算 1 件信访事项" in html
    assert "最近一次确认：2027 年" in html and "已确认" in html
    assert "以下年份的节假日安排尚未确认" not in html
    assert not Deadline.objects.get(petition=provisional_petition).provisional
    r = client.post("/calendar/", {"text": EXAMPLE_2027, "confirm": "1"})  # the same form again
    assert r.status_code == 302
    assert "此前已按同样内容确认，未作改动" in client.get("/calendar/").content.decode()
    assert AuditRecord.objects.filter(kind="calendar.confirm").count() == 1


def test_an_unreadable_notice_comes_back_with_the_line_and_the_text_kept(client, admin):
    client.force_login(admin)
    text = "年份：2027\n春节：2月30日放假"
    r = client.post("/calendar/", {"text": text, "confirm": "1"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "无法读取节假日安排通知" in html and "第 2 行：“2月30日”不是有效日期" in html
    assert "春节：2月30日放假</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert not HolidayNotice.objects.exists()


def test_points_to_check_must_be_ticked_before_confirming(client, admin):
    client.force_login(admin)
    partial = "年份：2027\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
    r = client.post("/calendar/", {"text": partial, "confirm": "1"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "请核对下面的提示" in html and "通知中没有这些节日的安排" in html
    assert 'name="accept_warnings"' in html
    assert not HolidayNotice.objects.exists()
    r = client.post("/calendar/", {"text": partial, "confirm": "1", "accept_warnings": "on"})
    assert r.status_code == 302 and HolidayNotice.objects.filter(year=2027).exists()


def test_a_notice_file_in_gb18030_uploads_and_a_binary_or_huge_file_is_refused(client, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("2027.txt", EXAMPLE_2027.encode("gb18030"), "text/plain")
    r = client.post("/calendar/", {"file": upload, "text": "", "preview": "1"})
    assert r.status_code == 200 and "预览：2027年节假日安排" in r.content.decode()
    word = SimpleUploadedFile("通知.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)))
    r = client.post("/calendar/", {"file": word, "text": "我打的字", "preview": "1"})
    assert r.status_code == 400 and "请上传 UTF-8 或 GB18030 编码的纯文本文件" in r.content.decode()
    assert "我打的字</textarea>" in r.content.decode()
    huge = SimpleUploadedFile("big.txt", b"#" * (65 * 1024), "text/plain")
    r = client.post("/calendar/", {"file": huge, "preview": "1"})
    assert r.status_code == 400 and "不是节假日安排通知" in r.content.decode()


def test_nul_bytes_and_nonsense_are_a_clear_400_never_a_500(client, admin):
    client.force_login(admin)
    for text in (
        "年份：2027\n元旦：1月1日放假\x00",
        "\u202e年份：2027",
        "年份：9999\n元旦：1月1日放假",
        "",
    ):
        r = client.post("/calendar/", {"text": text, "preview": "1"})
        assert r.status_code in (200, 400), text
    for year in ("99999999999999999999", "9999", "1899"):
        r = client.post("/calendar/", {"text": f"年份：{year}\n元旦：1月1日放假", "preview": "1"})
        assert r.status_code == 400, year
    assert "年份应在 2000 至 2027 之间" in r.content.decode()


def test_the_django_admin_index_names_the_years_to_confirm(client, admin, provisional_petition):
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "节假日安排待确认" in html and "2027 年（1 个未结期限按暂定安排计算）" in html
    assert 'href="/calendar/"' in html
    # The confirmed notice is shown read-only in the admin.
    client.post("/calendar/", {"text": EXAMPLE_2027, "confirm": "1"})
    assert "节假日安排待确认" not in client.get("/admin/").content.decode()
    notice = HolidayNotice.objects.get(year=2027)
    r = client.get(f"/admin/deadlines/holidaynotice/{notice.pk}/change/")
    assert (
        r.status_code == 200
        and "2027-02-12" in r.content.decode()
        or "2月12日" in r.content.decode()
    )
    assert client.get("/admin/deadlines/holidaynotice/add/").status_code == 403
