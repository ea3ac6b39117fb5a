"""Side by side with django-helpdesk 2.6.1 on the same PostgreSQL (issue 14).

    python bench/helpdesk_bench.py --n 100000                    # venv, both seeds, both servers, timing
    python bench/helpdesk_bench.py --n 100000 --stage seed-xf    # one stage: venv | project | seed-xf | seed-hd | run
    python bench/helpdesk_bench.py --n 100000 --stage run --calls 40    # time again on the seeded databases

    # 10^6 on the benchmark cluster, the xinfang side a copy of the shared base h6_base:
    python bench/helpdesk_bench.py --n 1000000 --pg-port 5441 --stage seed-xf \
        --xf-template h6_base --xf-data-from /mnt/big/h6-data --xf-db helpdesk_xf6
    python bench/helpdesk_bench.py --n 1009608 --hd-fanout 8 --pg-port 5441 --stage seed-hd \
        --xf-db helpdesk_xf6 --hd-db helpdesk_hd6
    python bench/helpdesk_bench.py --n 1000000 --pg-port 5441 --stage run --xf-db helpdesk_xf6 \
        --hd-db helpdesk_hd6 --server-timeout 1200 --calls 20 --page-calls dashboard=5:1,report=5:1

django-helpdesk (the open Django helpdesk a public body would otherwise pick) is installed in a
scratch venv (``--hd-venv``, default /tmp/helpdesk-venv: ``pip install django-helpdesk==2.6.1
gunicorn psycopg[binary]`` from the registry); it is never a dependency of this project and no
code of it is kept here. The script writes a small Django project for it into ``--workdir``
(settings on its own database ``helpdesk_bench_hd``, DEBUG off, e-mail to a dummy backend) and
a seeder run with that venv's Python.

The two sides, seeded alike:

* xinfang: ``xinfang migrate`` and ``xinfang manage bench_seed --petitions N`` into
  ``helpdesk_bench_xf`` (data folder ``--workdir``/xf-data, which holds its field keys): the
  real-shaped five-year history (templates through the services, copies written with COPY).
* helpdesk: one queue per organ of the xinfang database, one staff member per queue, N tickets
  with the xinfang database's proportions: the same share still open, the same histogram of
  events per petition as follow-ups per ticket (with a TicketChange for each change of status),
  created over the same five years, the same citizens' texts (``../shared/data/teddy/``, read at
  run time), the rows ``bulk_create`` would write streamed with COPY (the three tables'
  secondary indexes and foreign keys dropped for the load and made again after), then
  ``VACUUM ANALYZE``.

Then both run as real servers on loopback (``xinfang serve``: gunicorn; helpdesk: gunicorn with
the same worker class, processes and threads), each client logs in through the login form as a
staff member, and every request is timed client-side over one keep-alive connection per side,
interleaved request by request (each round alternates which side goes first), after warm-up
rounds. Every answer's status is checked (and a create must redirect to the new case). Pages:

=========  ==========================================  =========================================
           xinfang                                     helpdesk
=========  ==========================================  =========================================
list       /worklist/ (staff of the busiest organ)     /tickets/ + its first page of rows (JSON)
dashboard  /analytics/ (province analyst)              /dashboard/
detail     /petitions/ID/ (rotating over 20)           /tickets/ID/ (20 with as many follow-ups)
create     POST /intake/letter/ (302 to the receipt)   POST /tickets/submit/ (302 to the ticket)
report     /analytics/?received_from=&received_to=     /reports/REPORT/?saved_query= (same range)
=========  ==========================================  =========================================

The JSON of the run goes to bench/results/helpdesk-postgres-N-DATE.json (p50/p95/max of each
side and page, the ratio helpdesk/xinfang, statuses, bytes, the load average before, during and
after); a table for bench/README.md is printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HD_VERSION = "2.6.1"
PG_PORT = 5432  # --pg-port: the cluster both sides use
XF_PASSWORD = "xinfang-demo-2026"  # the demo's staff password (bench_seed's templates)
HD_PASSWORD = "helpdesk-bench-2026"
TEXT_DIR = "/work/shared/data/teddy"
CLIENT_TIMEOUT = 1800  # seconds: helpdesk's report walks every ticket in Python


def _say(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def _psql(sql: str, db: str = "postgres") -> str:
    r = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", db, "-Atqc", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return r.stdout.strip()


def _recreate_db(name: str) -> None:
    # a busy shared cluster refused these once (2026-12-08): a few tries before giving up
    for attempt in range(3):
        try:
            _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _psql(f'CREATE DATABASE "{name}"')
            return
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            time.sleep(5)


def _db_exists(name: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


# --------------------------------------------------------------------------- xinfang side


def _xf_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
    env.update(
        XINFANG_DATA_DIR=str(Path(args.workdir) / "xf-data"),
        XINFANG_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{PG_PORT}/{args.xf_db}",
        XINFANG_ACCESS_LOG="0",
        XINFANG_LOG_LEVEL="ERROR",
        XINFANG_WEB_WORKERS=str(args.workers),
        XINFANG_WEB_THREADS=str(args.threads),
        XINFANG_WEB_TIMEOUT=str(args.server_timeout),
        PYTHONPATH=str(ROOT),
    )
    return env


def _copy_xf(args: argparse.Namespace) -> None:
    """A copy of an already seeded base (``--xf-template``) and of its data folder (its field
    keys), instead of seeding: the shared 10^6 history takes hours to make."""
    data = Path(args.workdir) / "xf-data"
    if not args.xf_data_from or not Path(args.xf_data_from).is_dir():
        sys.exit("--xf-template needs --xf-data-from: the base's data folder (its field keys)")
    if data.exists():
        shutil.rmtree(data)
    t0 = time.perf_counter()
    _psql(f'DROP DATABASE IF EXISTS "{args.xf_db}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{args.xf_db}" TEMPLATE "{args.xf_template}"')
    shutil.copytree(args.xf_data_from, data, ignore=shutil.ignore_patterns("run", "*.log"))
    subprocess.run([sys.executable, "-m", "xinfang.cli", "migrate"], env=_xf_env(args), cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    seed = {"copied_from": args.xf_template, "data_from": args.xf_data_from,
            "copy_seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
    (Path(args.workdir) / "xf-seed.json").write_text(json.dumps(seed, indent=1))
    _say(f"xinfang: {args.xf_db} copied from {args.xf_template} in {seed['copy_seconds']} s")


def stage_seed_xf(args: argparse.Namespace) -> None:
    """``xinfang migrate`` + ``bench_seed --petitions N`` into its own database (or a copy of
    ``--xf-template``)."""
    if args.xf_template:
        _copy_xf(args)
        return
    data = Path(args.workdir) / "xf-data"
    if data.exists():
        shutil.rmtree(data)  # its field keys belong to the database dropped below
    data.mkdir(parents=True)
    _recreate_db(args.xf_db)
    env = _xf_env(args)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "xinfang.cli", "migrate"], env=env, cwd=ROOT, check=True)
    _say(f"xinfang: bench_seed --petitions {args.n} into {args.xf_db}")
    log = Path(args.workdir) / "xf-seed.log"  # its progress lines; the last one is its JSON
    with log.open("w") as fh:
        subprocess.run(
            [sys.executable, "-m", "xinfang.cli", "manage", "bench_seed", "--petitions",
             str(args.n), "--text-dir", args.text_dir],
            env=env, cwd=ROOT, check=True, stdout=fh,
        )  # fmt: skip
    seed = json.loads(log.read_text().strip().splitlines()[-1])
    seed["wall_seconds"] = round(time.perf_counter() - t0, 1)
    _psql("VACUUM ANALYZE", args.xf_db)
    (Path(args.workdir) / "xf-seed.json").write_text(json.dumps(seed, ensure_ascii=False, indent=1))
    _say(f"xinfang seeded: {seed.get('petitions')} petitions in {seed['wall_seconds']} s")


# --------------------------------------------------------------------------- helpdesk side


def stage_venv(args: argparse.Namespace) -> None:
    """The scratch venv with django-helpdesk from the registry (never a project dependency)."""
    venv = Path(args.hd_venv)
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", f"django-helpdesk=={HD_VERSION}", "gunicorn",
         "psycopg[binary]"],
        check=True,
    )  # fmt: skip
    got = subprocess.run(
        [str(py), "-c", "import django, helpdesk; from importlib.metadata import version as v; "
         "print(v('django-helpdesk'), django.get_version())"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    if got[0] != HD_VERSION:
        sys.exit(f"django-helpdesk {got[0]} installed, {HD_VERSION} wanted")
    _say(f"helpdesk venv: django-helpdesk {got[0]}, Django {got[1]} in {venv}")


# --------------------------------------------------------------------------- HTTP


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One keep-alive connection with a cookie jar: a logged-in staff member's browser."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, url: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        h = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Referer"] = f"http://127.0.0.1:{self.port}{url}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, url, body, h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed the idle keep-alive connection: reconnect once (not timed
                # differently: the caller's clock includes it, as a browser's would)
                self.conn.close()
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=CLIENT_TIMEOUT
                )
                if attempt == 2:
                    raise
        for raw in r.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(raw)
            for k, m in c.items():
                if m["max-age"] == "0" or not m.value:
                    self.cookies.pop(k, None)
                else:
                    self.cookies[k] = m.value
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def csrf(self, url: str) -> str:
        status, _h, body = self.request("GET", url)
        m = _CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not m:
            sys.exit(f"no form at {url} on :{self.port} ({status})")
        return m.group(1)

    def login(self, url: str, username: str, password: str, expect: str) -> None:
        token = self.csrf(url)
        status, h, body = self.request(
            "POST", url, {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if status != 302 or expect not in h.get("location", ""):
            sys.exit(
                f"login of {username} on :{self.port} failed: {status} {h.get('location')} "
                f"{body[:300]!r}"
            )


def _wait_live(port: int, path: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
            if c.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"the server on :{port} did not come up")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))]


def _summary(xs: list[float]) -> dict:
    return {
        "n": len(xs),
        "p50_ms": round(statistics.median(xs), 1),
        "p95_ms": round(_pct(xs, 95), 1),
        "max_ms": round(max(xs), 1),
        "min_ms": round(min(xs), 1),
    }


# --------------------------------------------------------------------------- targets

# Run in the xinfang database (``xinfang manage shell -c``): who logs in and what is opened.
# The list user is the demo login (usable password) of the organ holding the most open
# petitions; its detail pages are 20 petitions of that organ drawn at random (their whole
# histories: the helpdesk side opens tickets with as many follow-ups).
_XF_TARGETS = r"""
import json, random
from django.db.models import Count
from xinfang.directory.models import User
from xinfang.directory.permissions import user_can_register
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.selectors import petition_get_for_user
usable = [u for u in User.objects.filter(is_active=True, organ__isnull=False).select_related("organ")
          if u.has_usable_password()]
organs = {u.organ_id for u in usable}
counts = dict(Petition.objects.filter(is_open=True, current_organ_id__in=organs)
              .values("current_organ_id").annotate(n=Count("id")).values_list("current_organ_id", "n"))
organ = max(counts, key=counts.get)
lister = sorted((u for u in usable if u.organ_id == organ),
                key=lambda u: (not user_can_register(u), u.username))[0]
registrar = lister if user_can_register(lister) else User.objects.get(username="county_clerk")
analyst = User.objects.get(username="province_analyst")
rng = random.Random(14)
pool = list(Petition.objects.filter(current_organ_id=organ).values_list("id", flat=True))
rng.shuffle(pool)
detail = []
for pid in pool:
    try:
        petition_get_for_user(user=lister, petition_id=pid)
    except Exception:
        continue
    detail.append(pid)
    if len(detail) == 20:
        break
events = dict(PetitionEvent.objects.filter(petition_id__in=detail).values("petition_id")
              .annotate(n=Count("id")).values_list("petition_id", "n"))
from django.db import connection
hist = {}
if HISTOGRAM:  # for the seed only: minutes at 10^6
    with connection.cursor() as c:
        c.execute(
            "SELECT n, count(*) FROM (SELECT p.id, count(e.id) AS n FROM petitions_petition p "
            "LEFT JOIN petitions_petitionevent e ON e.petition_id = p.id GROUP BY p.id) x GROUP BY n"
        )
        hist = dict(c.fetchall())
print("TARGETS " + json.dumps({
    "petitions": Petition.objects.count(),
    "open": Petition.objects.filter(is_open=True).count(),
    "organ_sizes": sorted(Petition.objects.values("current_organ_id").annotate(n=Count("id"))
                          .values_list("n", flat=True), reverse=True),
    "events_histogram": {str(k): v for k, v in sorted(hist.items())},
    "list_user": lister.username, "list_organ": organ, "list_open": counts[organ],
    "registrar": registrar.username, "region": registrar.organ.region_id,
    "analyst": analyst.username,
    "detail": [{"id": p, "events": events.get(p, 0)} for p in detail],
}))
"""


def _xf_targets(args: argparse.Namespace, histogram: bool = True) -> dict:
    code = f"HISTOGRAM = {histogram}\n" + _XF_TARGETS
    out = subprocess.run(
        [sys.executable, "-m", "xinfang.cli", "manage", "shell", "-c", code],
        env=_xf_env(args), cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    line = next(ln for ln in out.splitlines() if ln.startswith("TARGETS "))
    return json.loads(line[len("TARGETS ") :])


# --------------------------------------------------------------------------- timing

PAGES = ("list", "dashboard", "detail", "create", "report")


class Side:
    """One application's five operations, each returning (status ok, bytes) for call ``i``."""

    name = ""

    def op(self, page: str, i: int) -> tuple[bool, int, str]:
        return getattr(self, f"op_{page}")(i)


def _ok(status: int, want: int, body: bytes, what: str) -> tuple[bool, int, str]:
    return status == want, len(body), "" if status == want else f"{what}: {status} {body[:200]!r}"


class Xinfang(Side):
    name = "xinfang"

    def __init__(self, args: argparse.Namespace, t: dict) -> None:
        self.t = t
        port = args.xf_port
        self.lister = Browser(port)
        self.lister.login("/login/", t["list_user"], XF_PASSWORD, "/")
        self.analyst = Browser(port)
        self.analyst.login("/login/", t["analyst"], XF_PASSWORD, "/")
        self.registrar = self.lister
        if t["registrar"] != t["list_user"]:
            self.registrar = Browser(port)
            self.registrar.login("/login/", t["registrar"], XF_PASSWORD, "/")
        self.csrf = self.registrar.csrf("/intake/letter/")
        self.range = f"received_from={args.range_from}&received_to={args.range_to}"
        self.run = uuid.uuid4().hex[:6]

    def op_list(self, i: int) -> tuple[bool, int, str]:
        s, _h, b = self.lister.request("GET", "/worklist/")
        return _ok(s, 200, b, "worklist")

    def op_dashboard(self, i: int) -> tuple[bool, int, str]:
        s, _h, b = self.analyst.request("GET", "/analytics/")
        return _ok(s, 200, b, "statistics")

    def op_detail(self, i: int) -> tuple[bool, int, str]:
        pid = self.t["detail"][i % len(self.t["detail"])]["id"]
        s, _h, b = self.lister.request("GET", f"/petitions/{pid}/")
        return _ok(s, 200, b, f"petition {pid}")

    def op_create(self, i: int) -> tuple[bool, int, str]:
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "once": uuid.uuid4().hex,
            "title": f"小区排水管道堵塞请求疏通（对照测试 {self.run}-{i}）",
            "content": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
            "received_on": date.today().isoformat(),
            "region_code": self.t["region"],
            "category": "appeal",
            "route": "6",
            "p_name": "张三",
            "p_phone": "13800000000",
        }
        s, h, b = self.registrar.request("POST", "/intake/letter/", form)
        ok = s == 302 and "/intake/receipt/" in h.get("location", "")
        return ok, len(b), "" if ok else f"intake: {s} {h.get('location')} {b[:300]!r}"

    def op_report(self, i: int) -> tuple[bool, int, str]:
        s, _h, b = self.analyst.request("GET", f"/analytics/?{self.range}")
        return _ok(s, 200, b, "statistics with a range")


# --------------------------------------------------------------------------- the helpdesk project

# Written into --workdir/hdproj by the script; run with the scratch venv's Python. Production
# shape: DEBUG off, the default database session and cache backends, e-mail discarded (xinfang's
# notices go to its own fake backend too), the knowledge base and the API as shipped.
_HD_SETTINGS = """
import os
SECRET_KEY = "helpdesk-bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench.urls"
WSGI_APPLICATION = "hdbench.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": os.environ.get("HD_DB", "helpdesk_bench_hd"),
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": os.environ.get("HD_PG_PORT", "5432"),
}}
SITE_ID = 1
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(os.path.dirname(__file__), "static")
MEDIA_ROOT = os.path.join(os.path.dirname(__file__), "media")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = SERVER_EMAIL = "helpdesk@example.invalid"
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:dashboard"
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams (an extra not installed)
HELPDESK_PUBLIC_ENABLED = False
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = True
"""

_HD_URLS = """
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""

_HD_WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
application = get_wsgi_application()
"""

_HD_MANAGE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""

# The seeder: ``python seed_hd.py SPEC.json`` in the helpdesk venv. SPEC: n, queue sizes (the
# xinfang organs' petition counts), the share still open, the histogram of events per petition,
# years, the texts file, the bench user's password, the report's date range.
#
# Staff and queues through the ORM (their signals); tickets, follow-ups and ticket changes as the
# rows bulk_create would write (every column, a uuid4 secret_key per ticket as its default), but
# streamed with COPY on three connections at once, the three tables' secondary indexes and
# foreign keys dropped before and created again after (then validated by PostgreSQL).
_HD_SEED = r"""
import json, os, random, sys, time, uuid
from base64 import b64encode
from datetime import datetime, timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
import django
django.setup()
import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from helpdesk.models import FollowUp, Queue, SavedSearch, Ticket, TicketChange

spec = json.load(open(sys.argv[1]))
rng = random.Random(spec.get("seed", 7))
User = get_user_model()
t0 = time.perf_counter()
texts = json.load(open(spec["texts"]))
pool, replies = texts["texts"], texts["replies"] or ["已收悉，正在办理。"]
sizes = spec["queue_sizes"]                      # one queue per organ, as many cases as it holds
hist = [(int(k), v) for k, v in spec["events_histogram"].items()]
hk, hw = [k for k, _ in hist], [v for _, v in hist]
now = timezone.now()
days = 365 * spec["years"]

hashed = make_password(spec["password"])
with transaction.atomic():
    staff, queues = [], []
    for i, _size in enumerate(sizes):
        u = User(username=f"hd_staff_{i}", email=f"staff{i}@example.invalid", is_staff=True,
                 password=hashed, first_name=f"Staff {i}")
        u.save()  # signals: the helpdesk user settings
        staff.append(u.pk)
        q = Queue(title=f"Queue {i:03d}", slug=f"q{i:03d}", allow_public_submission=False)
        q.save()  # its permission row
        queues.append(q.pk)
bench = staff[0]                                   # the staff member of the largest queue
crowd = [f"citizen{k}@example.invalid" for k in range(max(1000, spec["n"] // 3))]
weights = sizes
open_share = spec["open_share"]
status_closed = [(Ticket.CLOSED_STATUS, 60), (Ticket.RESOLVED_STATUS, 38), (Ticket.DUPLICATE_STATUS, 2)]
sc_k, sc_w = [s for s, _ in status_closed], [w for _, w in status_closed]
labels = dict(Ticket.STATUS_CHOICES)
qidx = list(range(len(queues)))

# --- the three tables' secondary indexes and foreign keys: dropped for the load, made after
TABLES = [M._meta.db_table for M in (Ticket, FollowUp, TicketChange)]
with connection.cursor() as c:
    c.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)", [TABLES])
    indexes = c.fetchall()
    c.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')", [TABLES])
    constraints = c.fetchall()
    for table, name, _d in constraints:
        c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _d in indexes:
        c.execute(f"DROP INDEX {name}")
    for table in TABLES:
        c.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        assert c.fetchone()[0] == 0, f"{table} is not empty"

db = settings.DATABASES["default"]
dsn = dict(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
T_COLS = ["id", "title", "queue_id", "created", "modified", "submitter_email", "assigned_to_id",
          "status", "on_hold", "description", "resolution", "priority", "due_date",
          "last_escalation", "secret_key", "kbitem_id", "merged_to_id"]
F_COLS = ["id", "ticket_id", "date", "title", "comment", "public", "user_id", "new_status",
          "message_id", "time_spent", "email_recipients"]
C_COLS = ["id", "followup_id", "field", "old_value", "new_value"]
for M, cols in ((Ticket, T_COLS), (FollowUp, F_COLS), (TicketChange, C_COLS)):
    assert sorted(cols) == sorted(f.column for f in M._meta.concrete_fields), (M, cols)
conns = [psycopg.connect(**dsn) for _ in range(3)]
copies = [
    conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN")
    for conn, table, cols in zip(conns, TABLES, (T_COLS, F_COLS, C_COLS))
]
cp_t, cp_f, cp_c = [c.__enter__() for c in copies]
made_t = made_f = made_c = 0
BATCH = 5000
opened = labels[Ticket.OPEN_STATUS]
fanout = spec.get("fanout", 1)
base = -(-spec["n"] // fanout)                   # the real history, then copied fanout - 1 times
while made_t < base:
    k = min(BATCH, base - made_t)
    plans = []
    for _ in range(k):
        qi = rng.choices(qidx, weights)[0]
        is_open = rng.random() < open_share
        if is_open:
            created = now - timedelta(days=rng.uniform(0, 28))
            status = Ticket.REOPENED_STATUS if rng.random() < 0.05 else Ticket.OPEN_STATUS
            end = now
        else:
            created = now - timedelta(days=rng.uniform(30, days))
            status = rng.choices(sc_k, sc_w)[0]
            end = min(now, created + timedelta(days=rng.uniform(3, 90)))
        title, body = rng.choice(pool)
        assigned = staff[qi] if rng.random() < 0.8 else None
        made_t += 1
        cp_t.write_row((
            made_t, title[:200], queues[qi], created, end, rng.choice(crowd), assigned, status,
            False, body, (rng.choice(replies) if not is_open else ""),
            rng.choices([1, 2, 3, 4, 5], [3, 10, 60, 20, 7])[0],
            created + timedelta(days=60) if is_open else None, None, str(uuid.uuid4()), None, None,
        ))
        plans.append((made_t, rng.choices(hk, hw)[0], created, end, status, is_open, assigned))
    for tid, nf, created, end, status, is_open, assigned in plans:
        span = (end - created).total_seconds()
        for j in range(nf):
            last = j == nf - 1
            at = created + timedelta(seconds=span * (j + 1) / (nf + 1))
            new_status = status if last and not is_open else None
            made_f += 1
            cp_f.write_row((
                made_f, tid, at, "Ticket Closed" if new_status else "Comment",
                rng.choice(replies), rng.random() < 0.7, assigned or bench, new_status,
                None, None, None,
            ))
            if new_status:
                made_c += 1
                cp_c.write_row((made_c, made_f, "Status", str(opened), str(labels[new_status])))
    if (made_t // BATCH) % 20 == 0 or made_t == base:
        print(f"  {made_t}/{base} tickets, {made_f} follow-ups "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
for c in copies:
    c.__exit__(None, None, None)
for conn in conns:
    conn.commit()
    conn.close()
t_copy = time.perf_counter() - t0
if fanout > 1:
    # as bench/fanout.py does for the xinfang base: each ticket copied fanout - 1 times with new
    # ids (and a new secret_key), its follow-ups and changes with it; same queues, dates, texts
    def _copy(table, cols, shifts):
        sel = [shifts.get(col, col) for col in cols]
        with connection.cursor() as c:
            c.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(sel)} "
                      f"FROM {table} x, generate_series(1, {fanout - 1}) k")
    _copy(TABLES[0], T_COLS, {"id": f"x.id + k * {made_t}", "secret_key": "gen_random_uuid()::text"})
    _copy(TABLES[1], F_COLS, {"id": f"x.id + k * {made_f}", "ticket_id": f"x.ticket_id + k * {made_t}"})
    _copy(TABLES[2], C_COLS, {"id": f"x.id + k * {made_c}",
                              "followup_id": f"x.followup_id + k * {made_f}"})
    made_t, made_f, made_c = made_t * fanout, made_f * fanout, made_c * fanout
t_fanout = time.perf_counter() - t0 - t_copy
with connection.cursor() as c:
    for table, cols, n in zip(TABLES, (T_COLS, F_COLS, C_COLS), (made_t, made_f, made_c)):
        c.execute(f"SELECT pg_get_serial_sequence(%s, 'id')", [table])
        c.execute("SELECT setval(%s, %s)", [c.fetchone()[0], max(n, 1)])
    for _name, ddl in indexes:
        c.execute(ddl)
    for table, name, ddl in constraints:
        c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
t_index = time.perf_counter() - t0 - t_copy - t_fanout

frm, to = spec["range"]
query = {"filtering": {"created__gte": frm, "created__lte": to}, "filtering_null": {},
         "sorting": "created", "sortreverse": False, "search_string": ""}
saved = SavedSearch.objects.create(
    title="last 12 months", shared=True, user_id=bench,
    query=b64encode(json.dumps(query).encode()).decode())
print("SEEDED " + json.dumps({
    "tickets": made_t, "followups": made_f, "ticket_changes": made_c, "queues": len(queues),
    "bench_user": "hd_staff_0", "saved_query": saved.pk, "indexes_rebuilt": len(indexes),
    "constraints_rebuilt": len(constraints), "copy_seconds": round(t_copy, 1),
    "fanout": fanout, "real_tickets": base, "fanout_seconds": round(t_fanout, 1),
    "index_seconds": round(t_index, 1), "seconds": round(time.perf_counter() - t0, 1),
}))
"""


def _hd_py(args: argparse.Namespace) -> str:
    return str(Path(args.hd_venv) / "bin" / "python")


def _hd_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
    env.update(HD_DB=args.hd_db, HD_PG_PORT=str(PG_PORT), PYTHONPATH=str(Path(args.workdir) / "hdproj"),
               DJANGO_SETTINGS_MODULE="hdbench.settings")  # fmt: skip
    return env


def stage_project(args: argparse.Namespace) -> None:
    """The helpdesk project in --workdir/hdproj (generated, not kept in the repository)."""
    proj = Path(args.workdir) / "hdproj"
    (proj / "hdbench").mkdir(parents=True, exist_ok=True)
    for name, text in {
        "hdbench/__init__.py": "",
        "hdbench/settings.py": _HD_SETTINGS,
        "hdbench/urls.py": _HD_URLS,
        "hdbench/wsgi.py": _HD_WSGI,
        "manage.py": _HD_MANAGE,
        "seed_hd.py": _HD_SEED,
    }.items():
        (proj / name).write_text(textwrap.dedent(text).lstrip())
    _say(f"helpdesk project written to {proj}")


_TEXTS = r"""
import json, random
from xinfang.demo.bench_text import text_pool
pool = text_pool(TEXT_DIR, random.Random(7))
json.dump({"texts": pool.texts, "replies": pool.replies, "source": pool.source},
          open(OUT, "w"), ensure_ascii=False)
"""


def _texts(args: argparse.Namespace) -> Path:
    """The same citizens' texts as bench_seed reads (xinfang.demo.bench_text), for the tickets."""
    path = Path(args.workdir) / "texts.json"
    code = f"TEXT_DIR = {args.text_dir!r}\nOUT = {str(path)!r}\n" + _TEXTS
    subprocess.run([sys.executable, "-m", "xinfang.cli", "manage", "shell", "-c", code],
                   env=_xf_env(args), cwd=ROOT, check=True)  # fmt: skip
    return path


def stage_seed_hd(args: argparse.Namespace) -> None:
    """Migrate helpdesk's database and seed it in the xinfang database's proportions."""
    t = _xf_targets(args)
    _recreate_db(args.hd_db)
    env = _hd_env(args)
    proj = Path(args.workdir) / "hdproj"
    subprocess.run([_hd_py(args), "manage.py", "migrate", "-v0"], env=env, cwd=proj, check=True)
    spec = {
        "n": args.n,
        "queue_sizes": t["organ_sizes"],
        "open_share": t["open"] / t["petitions"],
        "events_histogram": t["events_histogram"],
        "years": 5,
        "texts": str(_texts(args)),
        "password": HD_PASSWORD,
        "range": [args.range_from, args.range_to],
        "seed": 7,
        "fanout": args.hd_fanout,
    }
    (proj / "spec.json").write_text(json.dumps(spec))
    _say(f"helpdesk: seeding {args.n} tickets into {args.hd_db} ({len(t['organ_sizes'])} queues)")
    out = subprocess.run([_hd_py(args), "seed_hd.py", "spec.json"], env=env, cwd=proj, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    line = next(ln for ln in out.splitlines() if ln.startswith("SEEDED "))
    seed = json.loads(line[len("SEEDED ") :])
    _psql("VACUUM ANALYZE", args.hd_db)
    (Path(args.workdir) / "hd-seed.json").write_text(json.dumps(seed, indent=1))
    _say(f"helpdesk seeded: {seed}")


_DT = re.compile(r"datatables_ticket_list/([A-Za-z0-9+/=]+)")


class Helpdesk(Side):
    name = "helpdesk"

    def __init__(self, args: argparse.Namespace, t: dict, seed: dict) -> None:
        self.t, self.args = t, args
        self.b = Browser(args.hd_port)
        self.b.login("/helpdesk/login/", seed["bench_user"], HD_PASSWORD, "/helpdesk/")
        self.csrf = self.b.csrf("/helpdesk/tickets/submit/")
        s, _h, body = self.b.request("GET", "/helpdesk/tickets/")
        m = _DT.search(body.decode("utf-8", "replace"))
        if s != 200 or not m:
            sys.exit(f"helpdesk ticket list: {s}, no datatables query in the page")
        # the first page of rows as the page's DataTables script asks for it (25, by created)
        self.rows = (f"/helpdesk/datatables_ticket_list/{m.group(1)}?"
                     + urlencode({"draw": 1, "start": 0, "length": 25, "order[0][column]": 5,
                                  "order[0][dir]": "asc", "search[value]": ""}))  # fmt: skip
        self.detail = seed["detail_tickets"]
        self.queue = seed["create_queue"]
        self.report = f"/helpdesk/reports/{args.hd_report}/?saved_query={seed['saved_query']}"
        self.run = uuid.uuid4().hex[:6]

    def op_list(self, i: int) -> tuple[bool, int, str]:
        s1, _h, b1 = self.b.request("GET", "/helpdesk/tickets/")
        s2, _h, b2 = self.b.request("GET", self.rows, headers={"Accept": "application/json"})
        ok = s1 == 200 and s2 == 200 and b2.startswith(b"{") and b'"data"' in b2
        return ok, len(b1) + len(b2), "" if ok else f"ticket list: {s1} {s2} {b2[:200]!r}"

    def op_dashboard(self, i: int) -> tuple[bool, int, str]:
        s, _h, b = self.b.request("GET", "/helpdesk/dashboard/")
        return _ok(s, 200, b, "dashboard")

    def op_detail(self, i: int) -> tuple[bool, int, str]:
        tid = self.detail[i % len(self.detail)]["id"]
        s, _h, b = self.b.request("GET", f"/helpdesk/tickets/{tid}/")
        return _ok(s, 200, b, f"ticket {tid}")

    def op_create(self, i: int) -> tuple[bool, int, str]:
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "queue": self.queue,
            "title": f"小区排水管道堵塞请求疏通（对照测试 {self.run}-{i}）",
            "body": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
            "priority": "3",
            "submitter_email": "citizen@example.invalid",
            "assigned_to": "",
            "due_date": "",
        }
        s, h, b = self.b.request("POST", "/helpdesk/tickets/submit/", form)
        ok = s == 302 and re.search(r"/helpdesk/tickets/\d+/", h.get("location", "")) is not None
        return ok, len(b), "" if ok else f"ticket create: {s} {h.get('location')} {b[:300]!r}"

    def op_report(self, i: int) -> tuple[bool, int, str]:
        s, _h, b = self.b.request("GET", self.report)
        return _ok(s, 200, b, "report")


def _hd_targets(args: argparse.Namespace, t: dict) -> dict:
    """The helpdesk side's counterparts: for each petition opened, a ticket of the bench user's
    queue with as many follow-ups as the petition has events."""
    import random

    seed = json.loads((Path(args.workdir) / "hd-seed.json").read_text())
    queue = int(_psql("SELECT id FROM helpdesk_queue WHERE slug = 'q000'", args.hd_db))
    rows = _psql(
        "SELECT n, string_agg(id::text, ',') FROM (SELECT t.id, count(f.id) n FROM helpdesk_ticket t "
        f"LEFT JOIN helpdesk_followup f ON f.ticket_id = t.id WHERE t.queue_id = {queue} "
        "GROUP BY t.id) x GROUP BY n",
        args.hd_db,
    )
    by_n = {
        int(n): [int(i) for i in ids.split(",")]
        for n, ids in (r.split("|") for r in rows.splitlines())
    }
    rng = random.Random(14)
    detail = []
    for d in t["detail"]:
        k = min(by_n, key=lambda n: (abs(n - d["events"]), n))  # as many, else the nearest
        detail.append({"id": rng.choice(by_n[k]), "followups": k})
    return {**seed, "create_queue": queue, "detail_tickets": detail}


def _start(args: argparse.Namespace) -> list[subprocess.Popen]:
    """Both servers, their output in --workdir/{xf,hd}-server.log."""
    logs = [open(Path(args.workdir) / f"{s}-server.log", "w") for s in ("xf", "hd")]
    xf = subprocess.Popen(
        [sys.executable, "-m", "xinfang.cli", "serve", "--port", str(args.xf_port)],
        env=_xf_env(args), cwd=ROOT, start_new_session=True, stdout=logs[0], stderr=logs[0],
    )  # fmt: skip
    hd = subprocess.Popen(
        [str(Path(args.hd_venv) / "bin" / "gunicorn"), "hdbench.wsgi", "--bind",
         f"127.0.0.1:{args.hd_port}", "--workers", str(args.workers), "--worker-class", "gthread",
         "--threads", str(args.threads), "--keep-alive", "5", "--timeout", str(args.server_timeout),
         "--log-level", "warning"],
        env=_hd_env(args), cwd=Path(args.workdir) / "hdproj", start_new_session=True,
        stdout=logs[1], stderr=logs[1],
    )  # fmt: skip
    return [xf, hd]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def _session_cpu_ms(sid: int) -> float:
    """CPU (user + system, ms) used so far by the processes of session ``sid`` (a server's
    gunicorn master and workers; their reaped children too), from /proc/PID/stat."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                rest = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(rest[3]) == sid:  # fields 6 (session) and 14-17 (utime, stime, cutime, cstime)
            total += int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_summary(xs: list[float]) -> dict | None:
    """Per request: the server processes' CPU between the request's start and its answer (the
    Python side only: PostgreSQL's backends are not counted). Clock ticks of 10 ms, so a single
    request is coarse; the mean over the run is the figure."""
    if not xs:
        return None
    return {"mean_ms": round(statistics.mean(xs), 1), "p50_ms": round(statistics.median(xs), 1),
            "total_ms": round(sum(xs))}  # fmt: skip


def _page_plan(args: argparse.Namespace, chosen: list[str]) -> dict[str, tuple[int, int]]:
    """(warm-up calls, timed calls) of each page: --warmup/--calls, or --page-calls
    ``page=N[:W]`` for a page too slow on one side for as many (interleaving kept: a round
    leaves out only the pages already done, on both sides)."""
    plan = {p: (args.warmup, args.calls) for p in chosen}
    for item in filter(None, args.page_calls.split(",")):
        page, _, spec = item.partition("=")
        n, _, w = spec.partition(":")
        plan[page] = (int(w) if w else args.warmup, int(n))
    return plan


def stage_run(args: argparse.Namespace) -> dict:
    # the code may have moved on since the seed (a rebase): its schema first, else pages 500
    subprocess.run([sys.executable, "-m", "xinfang.cli", "migrate"], env=_xf_env(args), cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    t = _xf_targets(args, histogram=False)
    h = _hd_targets(args, t)
    _say(
        f"xinfang: {t['petitions']:,} petitions ({t['open']:,} open); list {t['list_user']} "
        f"({t['list_open']:,} open at the organ); helpdesk: {h['tickets']:,} tickets"
    )
    procs = _start(args)
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        _wait_live(args.xf_port, "/-/live")
        _wait_live(args.hd_port, "/helpdesk/login/")
        sides = [Xinfang(args, t), Helpdesk(args, t, h)]
        times = {s.name: {p: [] for p in PAGES} for s in sides}
        sizes = {s.name: {p: 0 for p in PAGES} for s in sides}
        errors = {s.name: {p: [] for p in PAGES} for s in sides}
        cpu = {s.name: {p: [] for p in PAGES} for s in sides}
        session = {"xinfang": procs[0].pid, "helpdesk": procs[1].pid}
        loads = []
        chosen = [p for p in PAGES if p in args.pages.split(",")]
        plan = _page_plan(args, chosen)
        rounds = max(w + c for w, c in plan.values())
        stopped = None
        for r in range(rounds):
            for k, page in enumerate(p for p in chosen if r < sum(plan[p])):
                if args.stop_at and time.time() >= args.stop_at:  # both sides of a page or none
                    stopped = f"--stop-at reached in round {r + 1}/{rounds} before {page}"
                    break
                order = sides if (r + k) % 2 == 0 else sides[::-1]
                for side in order:
                    c0 = _session_cpu_ms(session[side.name])
                    t0 = time.perf_counter()
                    ok, nbytes, err = side.op(page, r)
                    ms = (time.perf_counter() - t0) * 1000
                    used = _session_cpu_ms(session[side.name]) - c0
                    if not ok:
                        errors[side.name][page].append(err)
                        print(f"  ERROR {side.name} {page}: {err}", flush=True)
                    elif r >= plan[page][0]:
                        times[side.name][page].append(ms)
                        cpu[side.name][page].append(used)
                        sizes[side.name][page] = nbytes
            loads.append(os.getloadavg()[0])
            if stopped:
                _say(stopped)
                break
            if r == args.warmup - 1 or (r + 1) % 10 == 0:
                _say(f"round {r + 1}/{rounds}, load {loads[-1]:.1f}")
    finally:
        _stop(procs)
    pages = {}
    for page in chosen:
        x = _summary(times["xinfang"][page]) if times["xinfang"][page] else None
        y = _summary(times["helpdesk"][page]) if times["helpdesk"][page] else None
        pages[page] = {
            "xinfang": x, "helpdesk": y,
            "ratio_p50": round(y["p50_ms"] / x["p50_ms"], 2) if x and y else None,
            "ratio_p95": round(y["p95_ms"] / x["p95_ms"], 2) if x and y else None,
            "bytes": {"xinfang": sizes["xinfang"][page], "helpdesk": sizes["helpdesk"][page]},
            "server_cpu_ms": {s: _cpu_summary(cpu[s][page]) for s in cpu},
            "warmup_calls": plan[page][0],
            "errors": {s: len(errors[s][page]) for s in errors},
            "first_error": {s: errors[s][page][:1] for s in errors},
        }  # fmt: skip
    return {
        "targets": {"xinfang": t | {"events_histogram": None, "organ_sizes": len(t["organ_sizes"])},
                    "helpdesk": h},
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()],
                         "during_min": round(min(loads), 2), "during_max": round(max(loads), 2),
                         "during_mean": round(statistics.mean(loads), 2)},
        "pages": pages,
        "stopped": stopped,
    }  # fmt: skip


LABELS = {
    "list": ("worklist", "ticket list + its rows (JSON)"),
    "dashboard": ("statistics", "dashboard"),
    "detail": ("petition page", "ticket page"),
    "create": ("staff registration (POST)", "ticket create (POST)"),
    "report": ("statistics, a date range", "report with a saved date-range query"),
}


def _versions(args: argparse.Namespace) -> dict:
    import django

    hd = subprocess.run(
        [_hd_py(args), "-c", "import django; from importlib.metadata import version as v; "
         "print(v('django-helpdesk'), django.get_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    return {
        "xinfang_commit": commit,
        "xinfang_django": django.get_version(),
        "django_helpdesk": hd[0],
        "helpdesk_django": hd[1],
        "postgres": _psql("SHOW server_version"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


def _table(result: dict) -> str:
    out = [
        "| page | xinfang | p50 / p95 ms | helpdesk 2.6.1 | p50 / p95 ms "
        "| helpdesk ÷ xinfang (p50 / p95) | server CPU ms a request (xinfang / helpdesk) |",
        "|---|---|---|---|---|---|---|",
    ]
    for page, r in result["pages"].items():
        x, y = r["xinfang"], r["helpdesk"]
        fx = f"{x['p50_ms']:,.0f} / {x['p95_ms']:,.0f}" if x else "—"
        fy = f"{y['p50_ms']:,.0f} / {y['p95_ms']:,.0f}" if y else "—"
        ratio = f"{r['ratio_p50']}× / {r['ratio_p95']}×" if r["ratio_p50"] else "—"
        c = r.get("server_cpu_ms") or {}
        cx, cy = (f"{c[s]['mean_ms']:,.0f}" if c.get(s) else "—" for s in ("xinfang", "helpdesk"))
        n = f" ({x['n']} calls)" if x else ""
        out.append(
            f"| {page}{n} | {LABELS[page][0]} | {fx} | {LABELS[page][1]} | {fy} | {ratio} "
            f"| {cx} / {cy} |"
        )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="petitions and tickets (default 10^5)")
    ap.add_argument(
        "--stage", default="all", choices=["all", "venv", "project", "seed-xf", "seed-hd", "run"]
    )
    ap.add_argument("--calls", type=int, default=30, help="timed requests per page and side")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--page-calls", default="", help="page=N[:W],…: N timed, W warm-up calls")
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset to time")
    ap.add_argument("--workdir", default="/tmp/helpdesk-bench")
    ap.add_argument("--hd-venv", default="/tmp/helpdesk-venv")
    ap.add_argument("--xf-db", default="helpdesk_bench_xf")
    ap.add_argument("--hd-db", default="helpdesk_bench_hd")
    ap.add_argument("--xf-template", default="", help="seed-xf: copy this seeded base instead")
    ap.add_argument("--xf-data-from", default="", help="with --xf-template: its data folder")
    ap.add_argument("--hd-fanout", type=int, default=1,
                    help="seed-hd: seed N/K real tickets, then copy them K-1 times in SQL")  # fmt: skip
    ap.add_argument("--pg-port", type=int, default=5432, help="the PostgreSQL both sides use")
    ap.add_argument("--server-timeout", type=int, default=120, help="gunicorn's, both sides")
    ap.add_argument("--xf-port", type=int, default=8301)
    ap.add_argument("--hd-port", type=int, default=8302)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn processes, each side")
    ap.add_argument("--threads", type=int, default=4, help="threads per process, each side")
    ap.add_argument("--hd-report", default="queuemonth", help="helpdesk report (queue × month)")
    ap.add_argument("--text-dir", default=TEXT_DIR)
    ap.add_argument("--stop-at", default="", help="HH:MM UTC: start no round after it")
    ap.add_argument("--note", default="", help="what else ran on the machine (recorded)")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    global PG_PORT
    PG_PORT = args.pg_port
    if args.stop_at:
        h, m = map(int, args.stop_at.split(":"))
        now = datetime.now(UTC)
        at = now.replace(hour=h, minute=m, second=0, microsecond=0)
        args.stop_at = (at if at > now else at + timedelta(days=1)).timestamp()
    today = date.today()
    args.range_from, args.range_to = (today - timedelta(days=365)).isoformat(), today.isoformat()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    stages = {
        "venv": stage_venv, "project": stage_project, "seed-xf": stage_seed_xf,
        "seed-hd": stage_seed_hd,
    }  # fmt: skip
    for name in ("venv", "project", "seed-xf", "seed-hd"):
        if args.stage in (name, "all"):
            stages[name](args)
    if args.stage not in ("run", "all"):
        return 0
    started = datetime.now()
    result = {
        "date": started.isoformat(timespec="seconds"),
        "n": args.n,
        "calls": args.calls,
        "warmup": args.warmup,
        "workers": args.workers,
        "threads": args.threads,
        "range": [args.range_from, args.range_to],
        "note": args.note,
        "versions": _versions(args),
        "seed": {
            side: json.loads(p.read_text())
            if (p := Path(args.workdir) / f"{side}-seed.json").exists()
            else None
            for side in ("xf", "hd")
        },
        **stage_run(args),
        "seconds": round((datetime.now() - started).total_seconds()),
    }
    path = Path(args.out or ROOT / "bench" / "results"
                / f"helpdesk-postgres-{args.n}-{started:%Y%m%d-%H%M}.json")  # fmt: skip
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    la = result["load_average"]
    print(
        f"\n{path}\nload average before {la['before'][0]}, during {la['during_min']}–"
        f"{la['during_max']} (mean {la['during_mean']}), after {la['after'][0]}\n"
    )
    print(_table(result))
    failed = sum(sum(r["errors"].values()) for r in result["pages"].values())
    if failed:
        print(f"\n{failed} requests failed (see first_error in the JSON)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
