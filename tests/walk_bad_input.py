"""The bad-input checklist (/work/shared/checklists.md: NUL and control characters, huge,
malformed, dates 0/1900/9999, integers at 2^31 and 2^63, full-width digits, right-to-left
marks, 1 MB values) walked against the pages added in the session of issues 14-20: the
federation inbox (signed messages with every field of a transfer replaced), Open311 (every
field of a POST, every query parameter, every path), the history import (malformed files,
bad cells through the dry run and the commit task, the mapping form), and the resolution
pages (backlog, hearings, relief, funds, supervision: every form field of every form the
county logins of a small demo are shown). Each answer must be below 500.

Not part of the suite (its name does not match ``test_*.py``: ~1,500 requests and a demo
seed, minutes of CI); run it by hand after changing those pages, on both databases:

    python -m pytest tests/walk_bad_input.py -p no:xdist -s
    XINFANG_TEST_DB=postgres python -m pytest tests/walk_bad_input.py -p no:xdist -s

Last run (2026-12-07, SQLite and PostgreSQL): no 5xx (federation, Open311, imports, 1,097
form requests on the staff pages).
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.test import Client

from xinfang.exchange.tests.test_open311_spec import BASE, post
from xinfang.federation.tests.test_inbox import OTHER, _raw, _transfer_body, _wire

pytestmark = [pytest.mark.django_db]

BAD = [
    "",
    "x" * 300,
    "长" * 5000,
    "9" * 25,
    str(2**63),
    str(2**31),
    "-1",
    "0",
    "1e400",
    "nan",
    "９９",
    "abc",
    "0000-00-00",
    "9999-12-31",
    "1900-01-01",
    "2025-02-30",
    "2025-09-01T25:99",
    "\u202e\u202d",
    "a" * 1_000_000,
]
FAILS: list[str] = []


def _check(r, what):  # type: ignore[no-untyped-def]
    if r.status_code >= 500:
        FAILS.append(f"{r.status_code} {what}")


def test_federation(world):
    from xinfang.federation import envelope as e
    from xinfang.federation.services import peer_add

    peer_add(name="p", url="http://127.0.0.1:8639", public_key=e.public_key_text(OTHER))
    c = Client()
    good = _transfer_body(world)
    values = [
        None,
        2**63,
        -(2**63) - 1,
        1e308,
        "x" * 100000,
        [],
        {},
        "0",
        "9999-99-99",
        True,
        3.5,
        "abc",
    ]
    for field in list(good):
        for v in values:
            body = {**good, field: v}
            r = c.post(
                "/federation/v1/messages",
                _raw(_wire("transfer", body)),
                content_type="application/json",
            )
            _check(r, f"federation {field}={str(v)[:30]}")
    for field in list(good["petition"]):
        for v in values:
            body = _transfer_body(world, petition={field: v})
            r = c.post(
                "/federation/v1/messages",
                _raw(_wire("transfer", body)),
                content_type="application/json",
            )
            _check(r, f"federation petition.{field}={str(v)[:30]}")
    att = good["attachments"][0]
    for field in list(att):
        for v in values:
            body = {**good, "attachments": [{**att, field: v}]}
            r = c.post(
                "/federation/v1/messages",
                _raw(_wire("transfer", body)),
                content_type="application/json",
            )
            _check(r, f"federation attachment.{field}={str(v)[:30]}")
    for kind in ("update", "transfer", "nonsense", "", "x" * 1000):
        for body in ({}, {"a": 1}, [], "x"):
            try:
                raw = _raw(_wire(kind, body))
            except Exception:
                continue
            r = c.post("/federation/v1/messages", raw, content_type="application/json")
            _check(r, f"federation kind={kind[:10]} body={body}")
    for raw in (
        b"{",
        b"[]",
        b"null",
        b'{"sig": 1}',
        b"x" * 100,
        json.dumps({"body": {"a": 1}}).encode(),
    ):
        r = c.post("/federation/v1/messages", raw, content_type="application/json")
        _check(r, f"federation raw={raw[:20]}")
    print("FED FAILS", len(FAILS), "\n".join(FAILS[:60]))
    assert not FAILS


def test_open311(world):
    from xinfang.exchange.open311.keys import open311_key_issue

    key = open311_key_issue(name="k", actor=None)[1]
    c = Client()
    fields = [
        "service_code",
        "description",
        "address_id",
        "address_string",
        "lat",
        "long",
        "first_name",
        "last_name",
        "phone",
        "email",
        "attribute[publish]",
        "device_id",
        "account_id",
        "media_url",
        "address",
        "attribute[x]",
    ]
    for f in fields:
        for v in BAD:
            _check(post(c, key, **{f: v}), f"open311 POST {f}={v[:20]}")
    for q in (
        "start_date",
        "end_date",
        "status",
        "service_code",
        "service_request_id",
        "page",
        "page_size",
    ):
        for v in BAD[:18]:
            for fmt in ("json", "xml"):
                r = c.get(f"{BASE}/requests.{fmt}", {q: v, "api_key": key})
                _check(r, f"open311 GET {q}={v[:20]} {fmt}")
    for v in BAD[:18]:
        for path in (
            f"{BASE}/requests/{v[:50] or 'x'}.json",
            f"{BASE}/services/{v[:50] or 'x'}.xml",
            f"{BASE}/tokens/{v[:50] or 'x'}.json",
        ):
            _check(c.get(path), f"open311 GET {path[:60]}")
    print("O311 FAILS", len(FAILS), "\n".join(FAILS[:60]))
    assert not FAILS


def _fields(html: str):  # type: ignore[no-untyped-def]
    for m in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I):
        attrs, body = m.group(1), m.group(2)
        method = "post" if re.search(r"method=[\"']?post", attrs, re.I) else "get"
        a = re.search(r'action="([^"]*)"', attrs)
        data = {}
        for inp in re.finditer(r"<(input|textarea|select)\b([^>]*)>", body, re.I):
            n = re.search(r'name="([^"]+)"', inp.group(2))
            if not n:
                continue
            v = re.search(r'value="([^"]*)"', inp.group(2))
            data[unescape(n.group(1))] = unescape(v.group(1)) if v else ""
        yield method, unescape(a.group(1)) if a and a.group(1) else None, data


def test_staff_pages():
    from xinfang.demo import demo_seed
    from xinfang.directory.models import User

    demo_seed(petitions=40, seed=11)
    starts = [
        "/resolution/backlog/",
        "/resolution/hearings/",
        "/resolution/hearings/new/",
        "/resolution/relief/",
        "/resolution/relief/new/",
        "/resolution/relief/funds/allocate/",
        "/imports/",
        "/resolution/supervision/",
        "/resolution/escalations/",
    ]
    done_forms = set()
    n = 0
    for u in User.objects.filter(username__startswith="county_").order_by("username"):
        c = Client()
        c.force_login(u)
        pages = list(starts)
        seen = set()
        while pages and len(seen) < 40:
            url = pages.pop(0)
            if url in seen:
                continue
            seen.add(url)
            r = c.get(url)
            _check(r, f"{u.username} GET {url}")
            if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
                continue
            html = r.content.decode()
            for link in re.findall(r'href="(/resolution/[^"#]*|/imports/[^"#]*)"', html):
                if link not in seen and not link.endswith(".xlsx"):
                    pages.append(unescape(link))
            for method, action, data in _fields(html):
                action = action or url
                key = (method, re.sub(r"\d+", "N", action))
                if key in done_forms or action.startswith(("/i18n", "/logout", "/search")):
                    continue
                done_forms.add(key)
                for field in data:
                    if field in ("csrfmiddlewaretoken", "once"):
                        continue
                    for v in BAD:
                        bad = {**data, field: v}
                        if method == "post":
                            rr = c.post(action, bad)
                        else:
                            if len(v) > 5000:
                                continue
                            rr = c.get(action, bad)
                        n += 1
                        _check(rr, f"{u.username} {method} {action} {field}={v[:20]}")
                # on GET pages: query parameters of the page itself
    for u in User.objects.filter(username="county_clerk"):
        c = Client()
        c.force_login(u)
        for q in ("state", "organ", "page", "cursor", "year", "q", "status", "fund", "from", "to"):
            for v in BAD[:18]:
                for p in starts:
                    _check(c.get(p, {q: v}), f"GET {p}?{q}={v[:20]}")
    print("PAGES requests", n, "forms", sorted(done_forms))
    print("FAILS", len(FAILS), "\n".join(FAILS[:80]))
    assert not FAILS


def test_imports(world, django_capture_on_commit_callbacks):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinfang.imports.models import ImportRun
    from xinfang.imports.tasks import import_run_task
    from xinfang.imports.tests.test_import import HEADER, csv_bytes, row

    c = Client()
    c.force_login(world.clerk)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    files = {
        "gbk.csv": ("行号,标题\nA-1,停车\n").encode("gbk"),
        "bom-only.csv": b"\xef\xbb\xbf",
        "cr.csv": ",".join(HEADER).encode() + b"\r" + b"A-1" + b"\r",
        "wide.csv": (
            ",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("x" for _ in range(5000))
        ).encode(),
        "bigcell.csv": csv_bytes([row(**{"内容": "长" * 2_000_000})]),
        "zip.xlsx": zbuf.getvalue(),
        "garbage.xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "quote.csv": b'"unterminated,field\n',
        "nul.csv": csv_bytes([row(**{"标题": "a\x00b"})]),
        "ctrl.csv": csv_bytes([row(**{"标题": "a\x01b", "信访人": "\x1b[31m"})]),
        "utf16.csv": ",".join(HEADER).encode("utf-16"),
    }
    for name, data in files.items():
        r = c.post(
            "/imports/",
            {"once": f"k-{name}", "source": "旧系统", "file": SimpleUploadedFile(name, data)},
        )
        _check(r, f"imports upload {name}")
    cells = {
        "收到日期": [
            "0",
            "9999-12-31",
            "1900-01-01",
            "2024-02-30",
            "２０２４-０３-０４",
            "x" * 300,
        ],
        "区划代码": ["9" * 25, "０", ""],
        "处理途径": [str(2**63), "-1", "9"],
        "类别": ["x" * 500],
        "信访人": ["x" * 1000],
        "登记机关": ["不存在的机关", "x" * 1000],
        "转送日期": ["2023-01-01", "0"],
        "评价": ["x" * 300],
        "行号": ["x" * 500, ""],
    }
    for col, values in cells.items():
        for v in values:
            ImportRun.objects.all().delete()
            rows = [row(**{col: v}), row(**{"行号": "A-2"})]
            f = SimpleUploadedFile("old.csv", csv_bytes(rows), content_type="text/csv")
            r = c.post("/imports/", {"once": f"u-{col}-{v[:5]}", "source": "旧系统", "file": f})
            _check(r, f"imports {col}={v[:20]} upload")
            if r.status_code != 302:
                continue
            run = ImportRun.objects.get()
            _check(c.get(r["Location"]), f"imports {col}={v[:20]} page")
            data = {
                "once": f"c-{col}-{v[:5]}",
                "do": "check",
                **{f"col_{k}": x for k, x in run.mapping.items()},
            }
            with django_capture_on_commit_callbacks(execute=False):
                _check(c.post(f"/imports/{run.pk}/", data), f"imports {col} check")
            try:
                import_run_task.func(run_id=run.pk, commit=False)
                run.refresh_from_db()
                if run.state == "checked":
                    import_run_task.func(run_id=run.pk, commit=True)
            except Exception as e:
                FAILS.append(f"imports task {col}={v[:20]}: {type(e).__name__} {e}"[:300])
            _check(c.get(r["Location"]), f"imports {col}={v[:20]} page after")
    # mapping form with bad values
    ImportRun.objects.all().delete()
    f = SimpleUploadedFile("old.csv", csv_bytes([row()]), content_type="text/csv")
    r = c.post("/imports/", {"once": "m0", "source": "旧系统", "file": f})
    run = ImportRun.objects.get()
    for v in BAD:
        for k in list(run.mapping)[:3] + ["do"]:
            data = {
                "once": f"m-{k}-{v[:5]}",
                "do": "check",
                **{f"col_{x}": y for x, y in run.mapping.items()},
            }
            data[f"col_{k}" if k != "do" else "do"] = v
            _check(c.post(f"/imports/{run.pk}/", data), f"imports mapping {k}={v[:20]}")
    print("IMPORTS FAILS", len(FAILS), "\n".join(FAILS[:60]))
    assert not FAILS
