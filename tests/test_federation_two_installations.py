"""Two xinfang installations on one machine (issue 20, "Between two xinfang installations"):
each its own data folder (and database) and port, real `xinfang serve` processes and real
`xinfang tick` / `xinfang manage federation_peer` commands, started and stopped by the test.

A petition registered at A goes to an organ B serves; B is down when A first sends it (the
message waits in A's outbox) and arrives when B is back and A's tick runs again; B's organ
answers; B's tick reports the steps back; A's petitioner, with A's tracking code, reads B's
answer on A's portal. A message captured on the way is refused when replayed, and refused
when altered, and a retry of it is acknowledged without being applied twice. A second transfer
made while B is down is taken back (取回) at A and never reaches B.

Planted faults (each made the unit tests in xinfang/federation/tests fail, then was
restored; this test exercises the same code end to end):
* ``outbox_deliver`` marking a message delivered whatever the answer: the transfer sent while
  B was down was lost (test_outbox: ...down_is_tried_again...);
* ``inbox_receive`` without the message-id check: the retry registered a second petition
  (test_inbox: ...delivered_twice_is_applied_once);
* ``inbox_receive`` without the nonce check: the replayed bytes were answered 200
  (test_inbox: ...replayed_message_is_refused);
* ``signature_ok`` always true: the altered title was registered (test_inbox: ...altered...).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar

import pytest

from xinfang.ops.tests.installation import Installation

#: How long a server may take to answer ``/-/ready`` on a loaded machine before the test fails
#: with its log (a bound, not a wait: the poll returns as soon as it answers).
READY_SECONDS = 180
#: Where free ports are looked for: below the range the kernel hands out to outgoing
#: connections (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default), so no client
#: socket of a parallel test takes the port between our check and the server's bind.
PORT_RANGE = (20000, 32000)

SETUP = """
import json
from xinfang.directory.models import Level, OrganKind, Region, Role
from xinfang.directory.services import organ_create, staff_create
province = Region.objects.create(code="990000", name="示范省", level=Level.PROVINCE)
city = Region.objects.create(code="990100", name="东湖市", level=Level.CITY, parent=province)
county = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY, parent=city)
K = OrganKind
gov = organ_create(name="{gov}", kind=K.COMPETENT, level=Level.COUNTY, region=county)
po = organ_create(name="{po}", kind=K.PETITION_OFFICE, level=Level.COUNTY, region=county,
                  parent=gov)
housing = organ_create(name="{housing}", kind=K.COMPETENT, level=Level.COUNTY, region=county,
                       parent=gov)
staff_create(username="clerk", password="test-pass-123x", organ=po,
             roles=[Role.REGISTRAR, Role.ORGAN_HEAD])
staff_create(username="head", password="test-pass-123x", organ=housing,
             roles=[Role.ORGAN_HEAD, Role.HANDLER])
from xinfang.federation.keys import own_public_key
print(json.dumps({{"po": po.pk, "housing": housing.pk, "public_key": own_public_key()}}))
"""

SEND = """
import json
from xinfang.directory.models import User
from xinfang.federation.models import RemoteOrgan
from xinfang.petitions.services import (AttachmentInput, PartyInput, PetitionInput,
                                        petition_act, petition_register)
clerk = User.objects.get(username="clerk")
reg = petition_register(data=PetitionInput(
    channel="letter", title="在乙省务工被拖欠工资", region_code="990102",
    content="本人在乙省青山县某工地务工，工资三万元被拖欠半年，请求督促支付。",
    category="appeal", route=6,
    parties=[PartyInput(role="petitioner", name="张三", phone="13800000000")],
    attachments=[AttachmentInput(name="欠条.pdf", content=b"%PDF-1.4 IOU 30000")],
), organ=clerk.organ, actor=clerk)
remote = RemoteOrgan.objects.get()
p = petition_act(petition_id=reg.petition.pk, action="transfer", actor=clerk,
                 data={"to_organ_id": remote.organ_id}, reason="属乙省办理")
print(json.dumps({"code": reg.petition.tracking_code, "password": reg.query_password,
                  "open": list(p.deadlines.filter(outcome="open").values_list("code", flat=True)),
                  "next_due": str(p.next_due)}))
"""

AT_B = """
import json
from django.utils import timezone
from xinfang.petitions.models import Petition
ps = list(Petition.objects.all())
out = [{"id": p.pk, "state": p.state, "organ": p.current_organ.name, "title": p.title,
        "received": p.received_at.isoformat(), "files": p.attachments.count(),
        "t3": [d.start_date.isoformat() for d in p.deadlines.filter(code="T3")],
        "today": timezone.localdate().isoformat()} for p in ps]
print(json.dumps(out, ensure_ascii=False))
"""

ANSWER = """
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act
head = User.objects.get(username="head")
p = Petition.objects.get()
petition_act(petition_id=p.pk, action="acknowledge", actor=head,
             data={"category": "appeal", "route": 6})
petition_act(petition_id=p.pk, action="start_handling", actor=head)
petition_act(petition_id=p.pk, action="issue_opinion", actor=head, data={
    "outcome": "support", "request": "督促支付拖欠工资",
    "facts": "经查，施工单位拖欠工资属实。", "decision": "责令施工单位三十日内足额支付。",
    "legal_basis": "《保障农民工工资支付条例》第三条"})
petition_act(petition_id=p.pk, action="record_delivery", actor=head,
             data={"method": "post", "signed": "true"})
print(p.pk)
"""

CAPTURE = """
from django.utils import timezone
from xinfang.federation.models import OutboundMessage
from xinfang.federation.services.outbox import _wire
m = OutboundMessage.objects.get(kind="transfer", status="delivered")
print(_wire(m, now=timezone.now()).decode())
"""

TAKE_BACK = """
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act
clerk = User.objects.get(username="clerk")
p = Petition.objects.get(tracking_code="{code}")
p = petition_act(petition_id=p.pk, action="take_back", actor=clerk, reason="乙省系统停运",
                 data={{"confirm_withdraw": True}})
print(p.state, p.current_organ.name)
"""


def _wait_until(predicate, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s: {what}")
        time.sleep(0.05)  # polling a subprocess, not waiting for time to pass


def _port_free(port: int) -> bool:
    """Nothing listens on ``port`` on the loopback (nor on every address). With SO_REUSEADDR,
    as the server binds: the closed connections of a server stopped a moment ago (TIME_WAIT)
    do not count, a listener does."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports() -> tuple[int, int]:
    """The two servers' ports: ``XINFANG_TEST_FEDERATION_PORTS="8742,8743"`` (checked free),
    else two free ports chosen for this run (each xdist worker, each engineer's run its own:
    a fixed default shared by parallel runs made one test talk to another's server)."""
    given = os.environ.get("XINFANG_TEST_FEDERATION_PORTS", "")
    if given:
        ports = tuple(int(x) for x in given.split(","))
        taken = [p for p in ports if not _port_free(p)]
        assert not taken, f"XINFANG_TEST_FEDERATION_PORTS: {taken} already in use on 127.0.0.1"
        return ports  # type: ignore[return-value]
    rng = random.Random()  # seeded from the system: two runs do not walk the same ports
    chosen: list[int] = []
    for _ in range(500):
        port = rng.randrange(*PORT_RANGE)
        if port not in chosen and _port_free(port):
            chosen.append(port)
            if len(chosen) == 2:
                return chosen[0], chosen[1]
    raise AssertionError(f"no two free ports in {PORT_RANGE}")


def _answers(port: int, path: str = "/-/live") -> bool:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", path)
        return c.getresponse().status == 200
    except OSError:
        return False


def _log_tail(path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


@contextmanager
def _serving(inst: Installation, port: int):
    """``xinfang serve`` on ``port`` until the block ends. Ready means ``/-/ready`` answers 200
    (database reachable, migrations applied), polled until ``READY_SECONDS``; the server's
    output goes to a log file beside its data, shown when it does not come up or stops."""
    log_path = inst.data_dir / f"serve-{port}.log"
    assert _port_free(port), f"port {port} is taken before the server starts"
    with log_path.open("ab") as log:
        proc = inst.popen(
            "serve", "--port", str(port), log=log, XINFANG_WEB_WORKERS="1", XINFANG_LOG_LEVEL="INFO"
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _answers(port, "/-/ready"):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = (
                    f"exited with code {proc.returncode}"
                    if proc.poll() is not None
                    else f"not ready within {READY_SECONDS}s"
                )
                pytest.fail(
                    f"xinfang serve on 127.0.0.1:{port} ({inst.data_dir}) {why}; "
                    f"its log ({log_path}):\n{_log_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.1)  # polling the server, not waiting for time to pass
        # answering, and it is ours: a server that could not bind exits (gunicorn gives up)
        assert proc.poll() is None, f"port {port}: another process answers; log:\n{_log_tail(log_path)}"  # fmt: skip
        try:
            yield proc
        except BaseException as e:
            if proc.poll() is None:
                raise
            # a request refused because the server died: say so, with what it wrote
            raise AssertionError(
                f"xinfang serve on port {port} stopped during the test (code {proc.returncode}); "
                f"its log:\n{_log_tail(log_path)}"
            ) from e
    finally:
        _stop(proc)
    _wait_until(lambda: not _answers(port), 30, f"port {port} still answers after the stop")


def _both(*runs):
    """Run two commands side by side (two cores): e.g. migrate A and B."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return [f.result() for f in [pool.submit(fn) for fn in runs]]


def _post(port: int, body: bytes) -> tuple[int, dict]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/federation/v1/messages", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b"{}")


def _tick(inst: Installation) -> str:
    return inst.xinfang(
        "tick", "--job", "federation.outbox", "--force", XINFANG_FEDERATION_RETRY_SECONDS="0"
    ).stdout


def _portal_status(port: int, code: str, password: str) -> str:
    """What the petitioner sees at A: the track form, then the status page (real HTTP)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    form = opener.open(f"{base}/portal/track/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "code": code, "password": password}
    ).encode()
    req = urllib.request.Request(f"{base}/portal/track/", data=data, headers={"Referer": base})
    return opener.open(req).read().decode()


def _portal_review(port: int, code: str, password: str) -> str:
    """The petitioner asks for a review on A's portal (issue 20: the opinion came from B):
    the status page's form, the confirmation, the confirmed request; A's status page after."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"

    def post(path: str, page: str, fields: dict) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        once = re.search(r'name="once" value="([^"]+)"', page)
        data = {"csrfmiddlewaretoken": token, **fields, **({"once": once.group(1)} if once else {})}
        req = urllib.request.Request(
            base + path, data=urllib.parse.urlencode(data).encode(), headers={"Referer": base}
        )
        return opener.open(req).read().decode()

    status = post("/portal/track/", opener.open(f"{base}/portal/track/").read().decode(),
                  {"code": code, "password": password})  # fmt: skip
    assert "remote-remedy-form" in status, status[-2000:]
    confirm = post(f"/portal/p/{code}/review/", status, {"reason": "工资至今未付"})
    assert "将转送对方系统" in confirm
    return post(f"/portal/p/{code}/review/", confirm, {"reason": "工资至今未付", "confirm": "1"})


def _migrate_both(a: Installation, b: Installation) -> None:
    """Migrate A, then give B a copy of the migrated, still empty database (one migration run
    instead of two on a loaded machine; no key has been used yet, each side makes its own)."""
    a.xinfang("migrate")
    if a.pg_name:
        from xinfang.ops.tests.installation import _pg_admin

        _pg_admin(f'DROP DATABASE IF EXISTS "{b.pg_name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{b.pg_name}" TEMPLATE "{a.pg_name}"')
    else:
        b.data_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if (a.data_dir / f"xinfang.sqlite3{suffix}").exists():
                shutil.copyfile(
                    a.data_dir / f"xinfang.sqlite3{suffix}", b.data_dir / f"xinfang.sqlite3{suffix}"
                )


# Two real installations talking over HTTP: what it proves (signatures, outbox, replay, the
# answer on the portal) does not depend on the database, so it runs once (scripts/test).
pytestmark = pytest.mark.once


@pytest.fixture
def installations(tmp_path):
    a = Installation.create(tmp_path / "a", "fed_a")
    b = Installation.create(tmp_path / "b", "fed_b")
    yield a, b
    a.drop()
    b.drop()


def test_a_petition_goes_to_another_installation_and_its_answer_comes_back(installations):
    a, b = installations
    port_a, port_b = _ports()
    _migrate_both(a, b)
    ids_a, ids_b = _both(
        lambda: json.loads(a.python(SETUP.format(gov="甲县人民政府", po="甲县信访局", housing="甲县住建局"))),
        lambda: json.loads(b.python(SETUP.format(gov="乙县人民政府", po="乙县信访局", housing="乙县住建局"))),
    )  # fmt: skip

    # The key exchange, as the two administrators do it (docs/federation.md).
    # (Each side's public key as `federation_peer key` prints it, from the setup's process.)
    pub = {"a": ids_a["public_key"], "b": ids_b["public_key"]}
    _both(
        lambda: a.xinfang("manage", "federation_peer", "add", "乙省信访系统", f"http://127.0.0.1:{port_b}/", pub["b"]),
        lambda: b.xinfang("manage", "federation_peer", "add", "甲省信访系统", f"http://127.0.0.1:{port_a}/", pub["a"]),
    )  # fmt: skip
    a.xinfang(
        "manage", "federation_peer", "organ-add", "乙省信访系统", str(ids_b["housing"]),
        "--name", "乙县住建局（乙省）", "--region", "990102", "--level", "county", "--kind", "competent",
    )  # fmt: skip

    with _serving(a, port_a):
        sent = json.loads(a.python(SEND))
        # The duty went to B with the petition: no deadline of A's runs for it (issue 20).
        assert (sent["open"], sent["next_due"]) == ([], "None")
        # B is down: the message waits in A's outbox, it is not lost.
        assert "retry" in _tick(a)
        listing = a.xinfang("manage", "federation_peer", "list").stdout
        assert "pending=1" in listing, listing
        # A second transfer while B is down, taken back (取回) by the office that sent it: it
        # is routed at A again and its message is never sent (B gets only the first).
        second = json.loads(a.python(SEND))
        assert "retry" in _tick(a)
        assert a.python(TAKE_BACK.format(code=second["code"])).split() == ["routing", "甲县信访局"]

        with _serving(b, port_b):
            _tick(a)  # B is back: delivered (the one taken back is not sent)
            assert "pending=0" in a.xinfang("manage", "federation_peer", "list").stdout
            [at_b] = json.loads(b.python(AT_B))
            assert at_b["title"] == "在乙省务工被拖欠工资" and at_b["files"] == 1
            assert (at_b["state"], at_b["organ"]) == ("transferred", "乙县住建局")
            # Art. 23 para 3: the organ's notice period runs from B's receipt (today).
            assert at_b["t3"] == [at_b["today"]]

            # A message captured on its way: a retry is acknowledged, not applied twice;
            # the same bytes again are a replay; an altered copy fails the signature.
            captured = a.python(CAPTURE).strip().encode()
            status, answer = _post(port_b, captured)
            assert (status, answer["status"]) == (200, "duplicate")
            status, answer = _post(port_b, captured)
            assert (status, answer["code"]) == (409, "replay")
            wire = json.loads(captured)
            wire["envelope"]["body"]["petition"]["title"] = "被篡改的标题"
            status, answer = _post(port_b, json.dumps(wire).encode())
            assert (status, answer["code"]) == (401, "bad_signature")
            assert len(json.loads(b.python(AT_B))) == 1

            # B answers; B's tick reports the steps back to A.
            b.python(ANSWER)
            _tick(b)

            # The petitioner asks A for a review of B's opinion (Art. 35): A forwards it, B
            # takes it and reports it back (issue 20).
            after = _portal_review(port_a, sent["code"], sent["password"])
            assert "正在转送对方系统" in after
            _tick(a)
            [at_b] = json.loads(b.python(AT_B))
            assert at_b["state"] == "review_requested"
            _tick(b)

        page = _portal_status(port_a, sent["code"], sent["password"])
        assert "转至乙县住建局（乙省）办理的情况" in page and "乙省信访系统" not in page
        assert "责令施工单位三十日内足额支付。" in page and "乙县住建局" in page
        assert "对方系统已收到。" in page and "复查中" in page
