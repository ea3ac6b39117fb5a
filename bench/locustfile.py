"""Load test of the production setup (locust): registrations and worklist reads over the API.

Run against a server (``xinfang serve`` + ``xinfang worker``) with the demo data, e.g.::

    locust -f bench/locustfile.py --headless -u 8 -r 8 -t 5m --host http://127.0.0.1:8390

``bench/load_bench.py`` sets up the installation, starts the server and the worker, runs 1, 8
and 32 clients in turn and records the figures. Each simulated client logs in once
(``/api/v1/auth/token``, one login shared by all) as ``XINFANG_LOAD_USER`` (default the demo's
county clerk) and then,
without pause, either registers a letter with one party and a one-page attachment, or reads the
first page of its worklist (half and half). Every response is checked: a registration must be
201 with a tracking code, a worklist 200 with items.
"""

from __future__ import annotations

import base64
import itertools
import json
import os

from gevent.lock import Semaphore
from locust import HttpUser, task

USER = os.environ.get("XINFANG_LOAD_USER", "county_clerk")
PASSWORD = os.environ.get("XINFANG_LOAD_PASSWORD", "xinfang-demo-2026")
REGION = os.environ.get("XINFANG_LOAD_REGION", "990102")
_PAGE = base64.b64encode(b"%PDF-1.4\n" + b"0" * 30_000).decode()  # a scanned page, ~30 KB
_n = itertools.count(1)
_token: list[str] = []
_login = Semaphore()


class Clerk(HttpUser):
    def on_start(self) -> None:
        # One login for all clients (a password hash costs ~1 s of CPU: 32 logins would take
        # the first half minute of the run); the clients then share the bearer token.
        with _login:
            if not _token:
                r = self.client.post(
                    "/api/v1/auth/token",
                    json={"username": USER, "password": PASSWORD, "name": "load"},
                    name="auth/token",
                )
                r.raise_for_status()
                _token.append(r.json()["token"])
        self.client.headers["Authorization"] = f"Bearer {_token[0]}"

    @task
    def register(self) -> None:
        n = next(_n)
        body = {
            "channel": "letter",
            "title": f"小区排水管道堵塞请求疏通（压测 {n}）",
            "content": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
            "region_code": REGION,
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "压测来信人", "phone": "13900000000"}],
            "attachments": [{"name": "scan.pdf", "content_base64": _PAGE}],
        }
        with self.client.post(
            "/api/v1/petitions", json=body, name="register", catch_response=True
        ) as r:
            if r.status_code != 201 or "tracking_code" not in r.text:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task
    def worklist(self) -> None:
        with self.client.get("/api/v1/worklist", name="worklist", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")
            elif not json.loads(r.text).get("items"):
                r.failure("empty worklist")
