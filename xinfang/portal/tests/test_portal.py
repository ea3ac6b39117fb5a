"""The public portal: submit, follow with code and password, documents, evaluation, remedies."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from tests.flows import act, opinion_delivered, review_decided

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


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()  # the look-up rate limits live in the cache
    with time_machine.travel(local(2025, 9, 1), tick=False):
        yield
    cache.clear()


def submit(client, **over):  # type: ignore[no-untyped-def]
    r = client.post("/portal/submit/", {**FORM, **over}, follow=True)
    html = r.content.decode()
    m = re.search(r'name="code" value="([A-Z0-9]+)".*?name="password" value="(\d+)"', html, re.S)
    return r, (m.group(1), m.group(2)) if m else (None, None)


def open_petition(client, p, password):  # type: ignore[no-untyped-def]
    r = client.post("/portal/track/", {"code": p.tracking_code, "password": password})
    assert r.status_code == 302, r.content.decode()[:500]
    return r


# --- language ---------------------------------------------------------------------------------


def test_the_portal_is_in_chinese_by_default_and_in_english_on_request(client, world):
    html = client.get("/portal/").content.decode()
    assert 'lang="zh-hans"' in html and "提出信访事项" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    html = client.get("/portal/").content.decode()
    assert 'lang="en"' in html and "Submit a petition" in html and "提出信访事项" not in html


def test_no_portal_page_has_inline_script_or_style(client, world):
    for url in ("/portal/", "/portal/submit/", "/portal/submit/?region=990102", "/portal/track/"):
        html = client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html, url
        # scripts only from the site's own static files (the anonymous box's, issue 12 item 13)
        for tag in re.findall(r"<script[^>]*>", html):
            assert re.fullmatch(r'<script src="/static/[\w/.-]+\.js" defer>', tag), (url, tag)
        assert html.count("<script") == html.count("<script src=\"/static/"), url


# --- submission -------------------------------------------------------------------------------


def test_the_submission_form_names_the_other_channels_the_limits_and_the_privacy_notice(client, world):
    html = client.get("/portal/submit/?region=990102").content.decode()
    assert "行政复议" in html and "仲裁" in html and "诉讼" in html  # what belongs elsewhere
    assert "最多 20 个文件，每个不超过 20 MB" in html
    assert "个人信息处理告知" in html and "匿名提出" in html and "保密" in html


def test_a_petition_submitted_online_waits_at_the_petition_office_of_its_region(client, world):
    from django.conf import settings

    from xinfang.core import ids
    from xinfang.petitions.models import Petition

    r, (code, password) = submit(client)
    assert r.status_code == 200 and code and password
    html = r.content.decode()
    assert ids.format_tracking_code(code) in html and password in html and "之后不再显示" in html
    p = Petition.objects.get(tracking_code=code)
    assert (p.state, p.channel, p.registering_organ_id) == ("received", "online", world.county_po.pk)
    ev = p.events.get()
    assert ev.action == "receive" and ev.actor_id is None
    assert ids.check_query_password(code, password, settings.SECRET_KEY, p.query_secret)


def test_the_receipt_downloads_only_with_the_right_password(client, world):
    _, (code, password) = submit(client)
    r = client.post("/portal/receipt/", {"code": code, "password": password})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert password in r.content.decode() and "查询凭证" in r.content.decode()
    wrong = f"{(int(password) + 1) % 10**8:08d}"
    assert client.post("/portal/receipt/", {"code": code, "password": wrong}).status_code == 404


def test_the_nearest_petition_office_up_the_regions_registers_it(client, world):
    from xinfang.petitions.models import Petition

    _, (code, _pw) = submit(client, region="990100")
    assert Petition.objects.get(tracking_code=code).registering_organ_id == world.city_po.pk
    r, (code, _pw) = submit(client, region="990000")  # the province has no petition office here
    assert r.status_code == 400 and code is None and "暂未开通网上信访" in r.content.decode()


def test_an_accusation_is_not_registered_by_an_office_below_the_accused_organ(client, world):
    from xinfang.petitions.models import Petition

    _, (code, _pw) = submit(
        client, category="accusation", accused_organ=str(world.county_gov.pk), confidential="on"
    )
    p = Petition.objects.get(tracking_code=code)
    assert p.registering_organ_id == world.city_po.pk  # not the county office under the county government
    assert p.accused_organ_id == world.county_gov.pk and p.confidential


def test_an_anonymous_petition_keeps_no_identity(client, world):
    from xinfang.petitions.models import Petition

    _, (code, _pw) = submit(client, is_anonymous="on", name="", phone="13900000000")
    p = Petition.objects.get(tracking_code=code)
    assert p.is_anonymous and p.parties.count() == 0


def test_a_missing_name_and_privacy_notice_are_refused_with_field_messages(client, world):
    r, (code, _pw) = submit(client, name="", privacy_read="")
    html = r.content.decode()
    assert r.status_code == 400 and code is None
    assert "请填写姓名" in html and 'role="alert"' in html and 'aria-invalid="true"' in html


def test_a_service_refusal_is_shown_at_its_field(client, world):
    r, (code, _pw) = submit(client, phone="not a phone", id_number="110101199003070000")
    html = r.content.decode()
    assert r.status_code == 400 and code is None
    assert "联系电话格式不正确" in html and "居民身份证号码校验位不正确" in html
    assert 'id="id_phone_error"' in html


def test_attachments_over_the_limit_or_of_an_unknown_type_are_refused(client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.XINFANG_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (1024 * 1024), "application/pdf")
    r, (code, _pw) = submit(client, attachments=[big])
    assert r.status_code == 400 and code is None and "超过 1 MB" in r.content.decode()
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00", "image/jpeg")
    r, (code, _pw) = submit(client, attachments=[exe])
    assert r.status_code == 400 and code is None and "文件类型不受支持" in r.content.decode()
    ok = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    r, (code, _pw) = submit(client, attachments=[ok])
    assert r.status_code == 200 and code


# --- follow -----------------------------------------------------------------------------------


def test_the_status_page_needs_the_code_and_password_first(client, world, register):
    p = register().petition
    r = client.get(f"/portal/p/{p.tracking_code}/")
    assert r.status_code == 302 and "/portal/track/" in r["Location"]
    r = client.get(f"/portal/p/{p.tracking_code}/documents/2/")
    assert r.status_code == 302


def test_a_wrong_code_and_a_wrong_password_look_the_same(client, world, register):
    reg = register()
    wrong_pw = client.post("/portal/track/", {"code": reg.petition.tracking_code, "password": "00000000"})
    wrong_code = client.post("/portal/track/", {"code": "ABCD EFGH JKMN PQRS", "password": reg.query_password})
    assert wrong_pw.status_code == wrong_code.status_code == 400
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.content.decode())  # noqa: E731
    assert strip(wrong_pw) == strip(wrong_code)
    assert reg.petition.title not in wrong_pw.content.decode()


def test_lookups_are_rate_limited_per_address_and_per_code(client, world, register, settings):
    settings.XINFANG_PORTAL_LOOKUP_TRIES = 3
    reg = register()
    code = reg.petition.tracking_code
    for _ in range(3):
        assert client.post("/portal/track/", {"code": code, "password": "11111111"}).status_code == 400
    # now even the right password is refused, from this address ...
    r = client.post("/portal/track/", {"code": code, "password": reg.query_password})
    assert r.status_code == 429 and "尝试次数过多" in r.content.decode()
    # ... and for this code from any address
    r = client.post("/portal/track/", {"code": code, "password": reg.query_password}, REMOTE_ADDR="10.9.9.9")
    assert r.status_code == 429
    cache.clear()
    r = client.post("/portal/track/", {"code": code, "password": reg.query_password})
    assert r.status_code == 302


def test_the_status_page_shows_public_dated_steps_without_internal_ones_or_staff_names(client, world, register):
    reg = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2))
    p = reg.petition
    # a county petition office transfers within its region (Art. 22 items 1-2; never upward)
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    act(world, p, "object", None, (2025, 8, 4), "不属于本机关职权：内部异议理由")
    open_petition(client, p, reg.query_password)
    html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "2025-08-03" in html and "转送" in html and "青山县住房和城乡建设局" in html
    assert "内部异议理由" not in html and "提出异议" not in html
    assert "clerk" not in html and "转送办理中" in html  # the public label of "objected"


def test_a_petitioner_sees_the_documents_and_the_remedy_route_of_the_opinion(client, world, register):
    p = opinion_delivered(world, register)
    reg_pw = _password_of(p)
    open_petition(client, p, reg_pw)
    html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    for title in ("信访事项转送告知书", "信访事项受理告知书", "信访事项延期办理告知书", "信访处理意见书"):
        assert title in html
    opinion = p.events.get(action="issue_opinion")
    doc = client.get(f"/portal/p/{p.tracking_code}/documents/{opinion.seq}/").content.decode()
    assert "信访处理意见书" in doc and "30日内请求青山县人民政府复查" in doc and "印章" in doc
    r = client.get(f"/portal/p/{p.tracking_code}/documents/{opinion.seq}.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    start = p.events.get(action="start_handling")  # a step without a document
    assert client.get(f"/portal/p/{p.tracking_code}/documents/{start.seq}/").status_code == 404
    assert "申请复查" in html and "2025-09-24" in html  # the T7 window from delivery (08-25 + 30)


def _password_of(p):  # type: ignore[no-untyped-def]
    """Tests only: set a known query password (only its HMAC is stored)."""
    from django.conf import settings

    from xinfang.core import ids

    type(p).objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, "12345678", settings.SECRET_KEY)
    )
    return "12345678"


def test_the_status_page_query_count_does_not_grow_with_the_steps(client, world, register):
    reg = register()
    open_petition(client, reg.petition, reg.query_password)
    client.get(f"/portal/p/{reg.petition.tracking_code}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/portal/p/{reg.petition.tracking_code}/")
    p = opinion_delivered(world, register)
    open_petition(client, p, _password_of(p))
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/portal/p/{p.tracking_code}/").status_code == 200
    assert len(many) <= len(few) + 4  # documents: parties, organs, the extension's deadline, evaluations
    assert len(many) <= 12


# --- evaluation -------------------------------------------------------------------------------


def test_the_petitioner_evaluates_each_stage_once_within_its_window(client, world, register):
    from xinfang.feedback.models import Evaluation

    p = opinion_delivered(world, register)
    open_petition(client, p, _password_of(p))
    url = f"/portal/p/{p.tracking_code}/evaluate/handling/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"rating": "dissatisfied", "comment": "噪声问题没有根本解决"})
    assert r.status_code == 302
    ev = Evaluation.objects.get(petition=p)
    assert (ev.stage, ev.rating, ev.organ_id) == ("handling", "dissatisfied", world.housing.pk)
    client.post(url, {"rating": "satisfied"})
    assert Evaluation.objects.filter(petition=p).count() == 1
    html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "已评价：不满意" in html
    assert client.get(f"/portal/p/{p.tracking_code}/evaluate/review/").status_code == 404  # not reached


def test_the_evaluation_window_closes(client, world, register, settings):
    from xinfang.feedback.models import Evaluation

    settings.XINFANG_EVALUATION_WINDOW_DAYS = 5  # delivered 08-25: open until 08-30
    p = opinion_delivered(world, register)
    open_petition(client, p, _password_of(p))
    client.post(f"/portal/p/{p.tracking_code}/evaluate/handling/", {"rating": "satisfied"})
    assert not Evaluation.objects.exists()
    assert "评价期限已于 2025-08-30 届满" in client.get(f"/portal/p/{p.tracking_code}/").content.decode()


def test_staff_cannot_evaluate_on_a_petitioners_behalf(client, world, register):
    from xinfang.feedback.models import Evaluation

    p = opinion_delivered(world, register)
    client.force_login(world.head)
    open_petition(client, p, _password_of(p))
    url = f"/portal/p/{p.tracking_code}/evaluate/handling/"
    assert client.get(url).status_code == 403
    r = client.post(url, {"rating": "satisfied"})
    assert r.status_code == 403 and "不能代为评价" in r.content.decode()
    assert not Evaluation.objects.exists()


# --- review and re-review ---------------------------------------------------------------------


def test_online_review_and_re_review_go_to_the_next_higher_organ_each_time(client, world, register):
    p = opinion_delivered(world, register)
    open_petition(client, p, _password_of(p))
    r = client.post(
        f"/portal/p/{p.tracking_code}/review/", {"reason": "监测时间不在营业高峰", "confirm": "1"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("review_requested", world.county_gov.pk)
    ev = p.events.order_by("-seq").first()
    assert ev.action == "request_review" and ev.actor_id is None and ev.reason == "监测时间不在营业高峰"
    review_decided(world, p, day=(2025, 9, 1))
    html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "信访事项复查意见书" in html and "申请复核" in html
    client.post(f"/portal/p/{p.tracking_code}/re-review/", {"reason": "", "confirm": "1"})
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("re_review_requested", world.city_gov.pk)


def test_a_review_request_after_the_thirty_days_is_refused(client, world, register):
    p = opinion_delivered(world, register)
    password = _password_of(p)
    with time_machine.travel(local(2025, 9, 25), tick=False):  # delivered 08-25: last day 09-24
        open_petition(client, p, password)
        html = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
        assert "申请复查" not in html  # no longer offered
        r = client.post(f"/portal/p/{p.tracking_code}/review/", {"confirm": "1"}, follow=True)
        assert "三十日内提出" in r.content.decode()
    p.refresh_from_db()
    assert p.state == "opinion_issued"


def test_forgetting_ends_access_in_this_browser(client, world, register):
    reg = register()
    open_petition(client, reg.petition, reg.query_password)
    client.post("/portal/forget/")
    assert client.get(f"/portal/p/{reg.petition.tracking_code}/").status_code == 302


def test_the_counters_live_in_the_database_cache_that_server_processes_share(
    client, world, register, settings
):
    """The deployment default (XINFANG_CACHE=database): the migration's cache table holds the
    counters, so a second process (another connection reading the table) sees them too."""
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "xinfang_cache",
        }
    }
    call_command("createcachetable", verbosity=0)  # what migration core.0001 does in deployment
    settings.XINFANG_PORTAL_LOOKUP_TRIES = 2
    reg = register()
    code = reg.petition.tracking_code
    for _ in range(2):
        assert client.post("/portal/track/", {"code": code, "password": "11111111"}).status_code == 400
    r = client.post("/portal/track/", {"code": code, "password": reg.query_password})
    assert r.status_code == 429
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM xinfang_cache")
        assert c.fetchone()[0] >= 2  # per address and per code, in the shared table
    caches["default"].clear()
