"""The production server (`xinfang serve`: gunicorn, several processes) under the faults of a
data centre, on the database the suite runs on:

* SIGTERM lets a request in hand finish (a registration half-sent when the signal comes is
  answered 201 and kept);
* SIGKILL of the whole server, several times while clients register petitions with
  attachments: after a restart every acknowledged registration is there, no petition lacks its
  events, deadlines, party or attachment, no attachment row lacks its file, no file lacks its
  row, and the audit chain verifies.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from xinfang.ops.tests.installation import Installation

SETUP = """
from xinfang.api.services import token_issue
from xinfang.directory.models import Level, OrganKind, Region, Role
from xinfang.directory.services import organ_create, staff_create
province = Region.objects.create(code="990000", name="示范省", level=Level.PROVINCE)
city = Region.objects.create(code="990100", name="东湖市", level=Level.CITY, parent=province)
county = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY, parent=city)
gov = organ_create(name="青山县人民政府", kind=OrganKind.COMPETENT, level=Level.COUNTY,
                   region=county)
po = organ_create(name="青山县信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY,
                  region=county, parent=gov)
clerk = staff_create(username="clerk", password="test-pass-123x", organ=po,
                     roles=[Role.REGISTRAR])
print(token_issue(user=clerk))
"""

CHECK = """
import hashlib, json, os
from pathlib import Path
from django.conf import settings
from xinfang.petitions.models import Attachment, Petition
out = {"petitions": {}, "incomplete": [], "missing_files": [], "stray_files": []}
for p in Petition.objects.prefetch_related("events", "deadlines", "parties", "attachments"):
    out["petitions"][p.pk] = p.tracking_code
    events = sorted(e.action for e in p.events.all())
    if events != ["receive", "register"] or not p.deadlines.all() or len(p.parties.all()) != 1 \\
            or len(p.attachments.all()) != 1:
        out["incomplete"].append(p.pk)
media = Path(settings.MEDIA_ROOT)
named = set()
for a in Attachment.objects.all():
    named.add(a.file.name)
    f = media / a.file.name
    if not f.is_file() or hashlib.sha256(f.read_bytes()).hexdigest() != a.sha256:
        out["missing_files"].append(a.file.name)
for f in (media / "attachments").rglob("*") if (media / "attachments").exists() else []:
    if f.is_file() and f.relative_to(media).as_posix() not in named:
        out["stray_files"].append(f.relative_to(media).as_posix())
print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    inst = Installation.create(tmp_path_factory.mktemp("server"), "server")
    inst.xinfang("migrate")
    token = inst.python(SETUP).strip().splitlines()[-1]
    yield inst, token
    inst.drop()


def _wait_until(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)  # polling a subprocess, not waiting for time to pass


def _answers(port: int) -> bool:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/-/live")
        return c.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def _server(inst: Installation, port: int):
    proc = inst.popen(
        "serve", "--port", str(port), XINFANG_WEB_WORKERS="2", XINFANG_WEB_THREADS="2"
    )
    try:
        _wait_until(lambda: _answers(port) or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        if proc.stderr:
            proc.stderr.close()


def _body(n: int) -> bytes:
    pdf = b"%PDF-1.4\n" + os.urandom(4000)
    return json.dumps(
        {
            "channel": "letter",
            "title": f"排水沟堵塞请求疏通 {n}",
            "content": "青山县青石巷排水沟堵塞，雨天积水进屋，请求尽快疏通。",
            "region_code": "990102",
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "王五", "phone": "13900000000"}],
            "attachments": [{"name": "scan.pdf", "content_base64": base64.b64encode(pdf).decode()}],
        }
    ).encode()


def _register(port: int, token: str, n: int) -> tuple[int, str] | None:
    """One registration; (id, tracking code) if acknowledged, None if the server was gone."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request(
            "POST",
            "/api/v1/petitions",
            _body(n),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        r = c.getresponse()
        data = r.read()
    except OSError:
        return None
    assert r.status == 201, (r.status, data[:500])
    out = json.loads(data)
    return out["id"], out["tracking_code"].replace(" ", "")


def test_sigterm_lets_a_half_sent_registration_finish(site):
    inst, token = site
    port = _free_port()
    with _server(inst, port) as proc:
        body = _body(0)
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        # A first request on the connection, kept alive: a worker process holds it now.
        s.sendall(f"GET /-/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        first = b""
        while not first.endswith(b'{"status": "ok"}'):
            first += s.recv(65536)
        head = (
            f"POST /api/v1/petitions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        s.sendall(head + body[:100])
        log: list[bytes] = []
        reader = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, b"")))
        reader.start()
        proc.send_signal(signal.SIGTERM)
        # the master has passed the signal on: new connections are no longer served
        _wait_until(lambda: any(b"Handling signal: term" in line for line in log), 15)
        s.sendall(body[100:])
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        s.close()
        assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
        code = json.loads(answer.split(b"\r\n\r\n", 1)[1])["tracking_code"].replace(" ", "")
        assert proc.wait(30) == 0
        reader.join(10)
    state = json.loads(inst.python(CHECK))
    assert code in state["petitions"].values()


def test_sigkill_mid_stream_loses_no_acknowledged_registration_and_leaves_nothing_half_written(
    site,
):
    inst, token = site
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    counter = iter(range(1, 10**6))

    def client(port: int, stop: threading.Event) -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            got = _register(port, token, n)
            if got is None:
                return
            with lock:
                acknowledged.append(got)

    for _round in range(3):
        port = _free_port()
        with _server(inst, port) as proc:
            stop = threading.Event()
            threads = [threading.Thread(target=client, args=(port, stop)) for _ in range(3)]
            for t in threads:
                t.start()
            enough = len(acknowledged) + 8
            _wait_until(lambda n=enough: len(acknowledged) >= n, 120)
            os.killpg(proc.pid, signal.SIGKILL)  # master and workers, mid-stream
            stop.set()
            for t in threads:
                t.join(60)
    # restart: the server comes back and what was acknowledged is there, whole
    with _server(inst, _free_port()):
        pass
    inst.xinfang("tick", "--force", XINFANG_ATTACHMENT_PENDING_GRACE_SECONDS="0")
    state = json.loads(inst.python(CHECK))
    present = {int(k): v for k, v in state["petitions"].items()}
    assert len(acknowledged) >= 24
    assert [a for a in acknowledged if present.get(a[0]) != a[1]] == []
    assert state["incomplete"] == []
    assert state["missing_files"] == []
    assert state["stray_files"] == []
    markers = [f for f in Path(inst.media).rglob("*") if f.is_file() and ".pending" in f.parts]
    assert markers == [], "a pending marker was left behind"
    assert "审计链完好" in inst.xinfang("audit", "verify").stdout
