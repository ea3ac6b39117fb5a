"""Web security: lockout, TOTP, CSP and cookies, escaping, public limits, password policy."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings

from conftest import local

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _login(client, password, ip="192.0.2.1"):
    return client.post("/login/", {"username": "clerk", "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_even_against_the_right_password(client, world):
    with time_machine.travel(local(2025, 9, 1), tick=False) as t:
        for _ in range(5):
            assert _login(client, "wrong").status_code == 200
        assert _login(client, "test-pass-123").status_code == 200  # refused: locked
        r = client.post(
            "/api/v1/auth/token",
            {"username": "clerk", "password": "test-pass-123"},
            content_type="application/json",
        )
        assert r.status_code == 401  # the API shares the lock
        t.shift(16 * 60)
        assert _login(client, "test-pass-123").status_code == 302


def test_a_success_resets_the_count(client, world):
    with time_machine.travel(local(2025, 9, 1), tick=False):
        for _ in range(4):
            _login(client, "wrong")
        assert _login(client, "test-pass-123").status_code == 302
        client.logout()
        for _ in range(4):
            _login(client, "wrong")
        assert _login(client, "test-pass-123").status_code == 302


@override_settings(XINFANG_LOGIN_IP_FAILURE_LIMIT=3)
def test_one_address_trying_many_names_is_locked_out(client, world):
    with time_machine.travel(local(2025, 9, 1), tick=False):
        for name in ("a", "b", "c"):
            client.post("/login/", {"username": name, "password": "x"}, REMOTE_ADDR="192.0.2.9")
        r = client.post(
            "/login/", {"username": "clerk", "password": "test-pass-123"}, REMOTE_ADDR="192.0.2.9"
        )
        assert r.status_code == 200
        assert _login(client, "test-pass-123", ip="192.0.2.10").status_code == 302


def _plans_of(call) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The audit-trail queries the application runs in ``call()``, each with its plan: the real
    SQL, captured as it was sent, not a copy of the query written here (a copy passes however
    the application's own query changes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    out = []
    for q in captured.captured_queries:
        sql = q["sql"]
        if "audit_auditrecord" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("SET LOCAL enable_seqscan = off")
                c.execute(f"EXPLAIN {sql}")
            else:
                c.execute(f"EXPLAIN QUERY PLAN {sql}")
            out.append((sql, " ".join(str(r) for r in c.fetchall())))
    return out


def _reads(index: str, call) -> None:  # type: ignore[no-untyped-def]
    plans = _plans_of(call)
    assert plans, "the call read no audit records: nothing was checked"
    for sql, plan in plans:
        assert index in plan, f"{sql}\n{plan}"


def test_the_login_throttle_reads_partial_indexes_of_its_own_rows(world):
    """The throttle's two reads of the trail, as it runs them (``directory.throttle``): an
    address's failed logins and a user name's latest attempts each read an index of those rows
    alone (issue 14: an index of every record's address cost ~560 bytes a petition; ADR 0024:
    no index of every record by object). Planted: either partial index dropped fails here."""
    from xinfang.directory.throttle import ip_failures, login_failures

    _reads("audit_failed_login_ip", lambda: ip_failures(ip="192.0.2.9"))
    _reads("audit_login_attempts", lambda: login_failures(username="clerk"))


def test_the_archive_manifests_are_read_through_their_partial_index(world):
    """Every read of the partitions' detach and attach records (verify's ``archive_read``, the
    detach's "manifest written?" and the attach's bounds: ADR 0019), as the application runs
    it, reads the index of those records alone. Planted: ``audit_partition`` dropped fails."""
    from xinfang.audit.archive import archive_read
    from xinfang.ops.partition_archive import _last_detach_data, _manifest_written

    name = "audit_auditrecord_p2024"
    _reads("audit_partition", archive_read)
    _reads("audit_partition", lambda: _manifest_written(name))
    _reads("audit_partition", lambda: _last_detach_data(name))


def _device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device):
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_staff_with_totp_enter_a_code_after_the_password(client, world):
    device = _device(world.clerk)
    assert _login(client, "test-pass-123").status_code == 302
    r = client.get("/worklist/")
    assert r.status_code == 302 and r["Location"].startswith("/account/otp/")
    assert client.post("/account/otp/", {"token": "000000"}).status_code == 400
    with time_machine.travel(
        time.time() + 5, tick=True
    ):  # django-otp slows guessing: wait after a failure
        r = client.post("/account/otp/", {"token": _code(device), "next": "/worklist/"})
    assert r.status_code == 302 and r["Location"] == "/worklist/"
    assert client.get("/worklist/").status_code == 200


def test_the_api_refuses_a_password_alone_for_a_user_with_totp(client, world):
    _device(world.clerk)
    r = client.post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": "test-pass-123"},
        content_type="application/json",
    )
    assert r.status_code == 401


def test_staff_without_totp_are_not_asked_and_may_enrol(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(world.clerk)
    assert client.get("/worklist/").status_code == 200
    r = client.get("/account/otp/setup/")
    assert r.status_code == 200 and "otpauth://" in r.content.decode()
    device = TOTPDevice.objects.get(user=world.clerk)
    assert client.post("/account/otp/setup/", {"token": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_every_page_sends_a_strict_csp_and_safe_headers(client, world):
    client.force_login(world.clerk)
    for path in ("/", "/worklist/", "/login/", "/api/v1/docs"):
        r = client.get(path)
        csp = r.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "default-src 'self'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_or_event_handlers():
    bad = []
    for path in (ROOT / "xinfang").rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            attrs = m.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                bad.append(f"{path.relative_to(ROOT)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            bad.append(f"{path.relative_to(ROOT)}: inline event handler")
        if "javascript:" in text:
            bad.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert bad == []


def test_cookies_are_httponly_and_secure_behind_tls(client, world):
    r = _login(client, "test-pass-123")
    cookie = r.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    from django.conf import settings

    assert settings.CSRF_COOKIE_HTTPONLY and settings.SESSION_COOKIE_AGE <= 12 * 3600
    with override_settings(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-sessionid"):
        client.logout()
        r = _login(client, "test-pass-123")
        assert r.cookies["__Host-sessionid"]["secure"]


def test_petition_text_is_escaped_everywhere_it_is_shown(client, world, register):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    p = register(title=evil, content=evil, received_at=local(2025, 8, 28)).petition
    client.force_login(world.clerk)
    for path in ("/worklist/", f"/petitions/{p.pk}/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@override_settings(XINFANG_PUBLIC_POSTS_PER_HOUR=2, XINFANG_PUBLIC_MAX_BYTES=1000)
def test_public_paths_are_rate_and_size_limited(client):
    from django.core.cache import cache

    cache.clear()
    codes = [
        client.post("/portal/track/", {"code": "x"}, REMOTE_ADDR="192.0.2.77").status_code
        for _ in range(3)
    ]
    assert codes[-1] == 429 and 429 not in codes[:2]
    assert client.post("/portal/track/", {"x": "y"}, REMOTE_ADDR="192.0.2.78").status_code != 429
    r = client.post("/portal/submit/", {"content": "x" * 2000}, REMOTE_ADDR="192.0.2.79")
    assert r.status_code == 413
    cache.clear()


def test_the_password_policy_refuses_short_common_and_one_class_passwords():
    from django.contrib.auth.password_validation import validate_password

    for weak in ("short1!", "password123", "abcdefghijkl", "1234567890123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Xinfang-demo-2026")


def test_uploads_are_judged_by_content_not_name(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import AttachmentInput

    with pytest.raises(ApplicationError) as e:
        register(attachments=[AttachmentInput("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 10)])
    assert "文件类型不受支持" in str(e.value.fields)
    # a name that does not fit the content is refused too (issue 12: "bad.exe" was offered)
    for name, content in (("evil.exe", b"%PDF-1.4 ok"), ("bad.exe", "只是文字".encode())):
        with pytest.raises(ApplicationError) as e:
            register(attachments=[AttachmentInput(name, content)])
        assert "文件名与其内容不符" in str(e.value.fields)
    p = register(attachments=[AttachmentInput("scan.pdf", b"%PDF-1.4 ok")]).petition
    assert p.attachments.get().content_type == "application/pdf"
