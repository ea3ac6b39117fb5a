"""The API's token exchange asks for the second factor of users who enrolled one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _token(client, **body):
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def _code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_a_user_with_a_confirmed_totp_device_must_send_a_valid_code(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xinfang.audit.models import AuditRecord

    device = TOTPDevice.objects.create(user=world.clerk, name="手机", confirmed=True)
    r = _token(client, username="clerk", password="test-pass-123", otp_token=_code(device))
    assert r.status_code == 200 and r.json()["token"].startswith("xf_")

    failed_before = AuditRecord.objects.filter(kind="login.failed").count()
    r = _token(client, username="clerk", password="test-pass-123")
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    r = _token(client, username="clerk", password="test-pass-123", otp_token="000000")
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    # a missing or wrong code counts as a failed login, throttled like a wrong password
    assert AuditRecord.objects.filter(kind="login.failed").count() == failed_before + 2


def test_an_unconfirmed_device_or_none_asks_for_no_code(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.clerk, name="未确认", confirmed=False)
    assert _token(client, username="clerk", password="test-pass-123").status_code == 200
    assert _token(client, username="handler", password="test-pass-123").status_code == 200


def test_a_right_code_does_not_save_a_wrong_password(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.clerk, name="手机", confirmed=True)
    r = _token(client, username="clerk", password="wrong", otp_token=_code(device))
    assert r.status_code == 401
