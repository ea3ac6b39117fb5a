"""Notifications (design.md habit 9: fakes at the edges): one small interface with three
backends, chosen by ``XINFANG_NOTIFY_BACKEND``: ``console`` (the default: the message goes to
the log), ``email`` (Django's mail, so SMTP is configured with Django's EMAIL_* settings) and
``sms`` (an HTTP gateway at ``XINFANG_SMS_GATEWAY_URL`` that takes a JSON POST
``{"phone", "text"}``; faked in tests).

Who may be told anything: the petitioner of the petition (and only if they chose to be told),
and staff of the organs handling it. ``notify`` refuses every other recipient, so a message
about an accusation never reaches anyone else (Art. 30 para 3)."""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

log = logging.getLogger("xinfang.reception.notify")


@dataclass(frozen=True)
class Recipient:
    kind: str  # "petitioner" | "staff"
    phone: str = ""
    email: str = ""
    user_id: int | None = None


class Backend(Protocol):
    def send(self, *, to: Recipient, subject: str, text: str) -> None: ...


class ConsoleBackend:
    def send(self, *, to: Recipient, subject: str, text: str) -> None:
        log.info("notification to %s: %s — %s", to.kind, subject, text)


class EmailBackend:
    def send(self, *, to: Recipient, subject: str, text: str) -> None:
        if to.email:
            send_mail(subject, text, None, [to.email])


class SmsGatewayBackend:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, *, to: Recipient, subject: str, text: str) -> None:
        if not to.phone:
            return
        body = json.dumps({"phone": to.phone, "text": f"{subject}：{text}"}).encode()
        req = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()


def backend() -> Backend:
    name = getattr(settings, "XINFANG_NOTIFY_BACKEND", "console")
    if name == "email":
        return EmailBackend()
    if name == "sms":
        return SmsGatewayBackend(settings.XINFANG_SMS_GATEWAY_URL)
    return ConsoleBackend()


class NotAllowed(Exception):
    """A recipient who is neither the petitioner nor staff of a handling organ."""


def notify(
    *,
    petition,  # type: ignore[no-untyped-def]
    to: Recipient,
    subject: str,
    text: str,
    via: Backend | None = None,
) -> None:
    """Send, after checking the recipient may be told about ``petition``."""
    if to.kind == "petitioner":
        from xinfang.petitions.models import Party, PartyRole

        phones = {
            p.phone for p in Party.objects.filter(petition=petition, role=PartyRole.PETITIONER)
        }
        if not to.phone or to.phone not in phones:
            raise NotAllowed("not the petitioner of this petition")
    elif to.kind == "staff":
        from xinfang.directory.models import User

        handling = {
            x for x in (petition.current_organ_id, petition.handling_organ_id) if x is not None
        }
        handling |= set(_lead_and_assisting(petition.pk))
        user = User.objects.filter(pk=to.user_id or 0, is_active=True).first()
        if user is None or user.organ_id not in handling:
            raise NotAllowed("not staff of an organ handling this petition")
    else:
        raise NotAllowed(to.kind)
    (via or backend()).send(to=to, subject=subject, text=text)


def _lead_and_assisting(petition_id: int) -> list[int]:
    from xinfang.reception.models import JointHandling, JointTask, ReceptionRecord

    out = list(
        JointHandling.objects.filter(petition_id=petition_id).values_list("lead_id", flat=True)
    )
    out += list(
        JointTask.objects.filter(joint__petition_id=petition_id).values_list("organ_id", flat=True)
    )
    out += list(
        ReceptionRecord.objects.filter(petition_id=petition_id).values_list("organ_id", flat=True)
    )
    return out
