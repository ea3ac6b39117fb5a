"""The authorisation matrix, generated from the one permission table.

Every role × every organ relation (own, parent, child, other, the region's petition office, the
accused organ and an organ below it) × every staff page and API operation. The expected answer
of each cell is computed from ``directory.permissions.CAPABILITIES`` and the jurisdiction rule
stated here; the actual answer comes from the running app. Pages and API operations are listed
from the URL configuration and the OpenAPI schema, so a new one is in the matrix at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import local
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.directory.permissions import CAPABILITIES, PERMISSIONS, Cap, role_can
from xinfang.petitions.workflow import Action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ROLES = [r.value for r in Role]
# Where the user sits, seen from the organ that holds the petition now.
RELATIONS = [
    "own",
    "parent",
    "child",
    "other",
    "region_office",
    "accused",
    "accused_child",
    "named",  # in the organ holding it, but named in the accusation (Art. 30 para 3, Art. 28)
]
SCENARIOS = {
    # An appeal transferred by the county petition office to the county housing bureau.
    "ordinary": ["own", "parent", "child", "other", "region_office"],
    # An accusation against the county petition office, registered at the city's and
    # transferred to the county discipline commission (a county organ: the accused office's
    # region rule alone would show it to the accused).
    "accusation": ["own", "parent", "child", "other", "accused", "accused_child", "named"],
}
TITLE = {"ordinary": "矩阵测试：小区油烟扰民", "accusation": "矩阵测试：检举信访局工作人员"}


def sees(role: str, relation: str) -> bool:
    """The rule under test: a reading role sees a petition held by its organ or one below it
    (a petition office: in its region), never when its organ is accused or below the accused."""
    return role_can(role, Cap.VIEW_PETITIONS) and relation in {"own", "parent", "region_office"}


def counted(role: str, relation: str) -> bool:
    """De-identified counts: the same jurisdiction and exclusions, read by view_deidentified."""
    return role_can(role, Cap.VIEW_DEIDENTIFIED) and relation in {"own", "parent", "region_office"}


def may_name_accused(role: str, relation: str) -> bool:
    """Recording whom an accusation names: the organ holding it, a role with workflow actions."""
    return sees(role, relation) and relation == "own" and bool(PERMISSIONS[role])


def may_flag(role: str, relation: str) -> bool:
    """Recording a cross-cutting fact (backlog): a role the flag's rule names, in jurisdiction."""
    from xinfang.petitions.flags import FLAGS, Flag

    return sees(role, relation) and role in FLAGS[Flag.BACKLOG].roles


def may_act(role: str, relation: str, action: Action) -> bool:
    return sees(role, relation) and role_can(role, action) and relation == "own"


def sees_identity(role: str, relation: str, scenario: str) -> bool:
    if not (sees(role, relation) and role_can(role, Cap.VIEW_IDENTITY)):
        return False
    return scenario == "ordinary" or relation == "own"


@dataclass
class Setup:
    petition: object
    organs: dict
    token_for: object


def _scenario(world, register, scenario: str) -> Setup:
    from xinfang.directory.services import organ_create
    from xinfang.petitions.services import PartyInput, petition_act

    def child_of(parent, name):
        return organ_create(
            name=name,
            kind=OrganKind.COMPETENT,
            level=Level.COUNTY,
            region=world.county,
            parent=parent,
        )

    party = [
        PartyInput(
            role="petitioner", name="李四", phone="13912345678", id_number="11010119900307803X"
        )
    ]
    if scenario == "ordinary":
        p = register(
            title=TITLE[scenario],
            received_at=local(2025, 8, 28),
            at=local(2025, 8, 28),
            parties=party,
        ).petition
        petition_act(
            petition_id=p.pk,
            action=Action.TRANSFER,
            actor=world.clerk,
            at=local(2025, 8, 29),
            data={"to_organ_id": world.housing.pk},
        )
        organs = {
            "own": world.housing,
            "parent": world.county_gov,
            "child": child_of(world.housing, "青山县住建局执法大队"),
            "other": world.court,
            "region_office": world.county_po,
        }
    else:
        p = register(
            title=TITLE[scenario],
            organ=world.city_po,
            actor=world.city_clerk,
            category="accusation",
            route=None,
            accused_organ_id=world.county_po.pk,
            received_at=local(2025, 8, 28),
            at=local(2025, 8, 28),
            parties=party,
        ).petition
        petition_act(
            petition_id=p.pk,
            action=Action.TRANSFER,
            actor=world.city_clerk,
            at=local(2025, 8, 29),
            data={"to_organ_id": world.discipline.pk},
        )
        organs = {
            "own": world.discipline,
            "parent": world.county_gov,
            "child": child_of(world.discipline, "青山县纪委监委派驻组"),
            "other": world.court,
            "accused": world.county_po,
            "accused_child": child_of(world.county_po, "青山县信访局接待中心"),
            "named": world.discipline,
        }
    p.refresh_from_db()
    return Setup(p, organs, None)


def _user(role: str, organ):
    from xinfang.directory.services import staff_create

    return staff_create(username=f"m-{role}", password="Matrix-pass-123", organ=organ, roles=[role])


# --- the pages and operations, listed from the app itself ----------------------------------


@functools.cache
def _web_patterns() -> list[tuple[str, str]]:
    """(name, route) of every staff page (the portal and reception booking are public and have
    their own gate; so are the health and metrics endpoints of ops, tested in
    xinfang/ops/tests/test_health.py)."""
    out = []

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                # federation: no session, the peer's signature is the credential
                # (xinfang/federation/tests, tests/test_federation_two_installations.py);
                # open311: public GeoReport v2, an API key for POST, its own exclusions
                # (xinfang/exchange/tests/test_open311_rules.py, tests/test_leaks.py)
                if p.namespace in (
                    "admin",
                    "api",
                    "portal",
                    "reception_book",
                    "ops",
                    "federation",
                    "open311",
                ) or "i18n" in str(p.pattern):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
            elif isinstance(p, URLPattern):
                out.append((f"{ns}:{p.name}", prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "/", None)
    return out


@functools.cache
def _api_operations() -> list[tuple[str, str]]:
    from xinfang.api.api import api

    ops = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method in methods:
            ops.append((method.upper(), path))
    return ops


def _fill(route: str, petition_id: int) -> str:
    url = route.replace("<int:petition_id>", str(petition_id)).replace(
        "{petition_id}", str(petition_id)
    )
    url = re.sub(r"<int:\w+>", "1", url)
    url = re.sub(r"<str:action>", Action.ACKNOWLEDGE.value, url)
    url = re.sub(r"\{action\}", Action.ACKNOWLEDGE.value, url)
    url = re.sub(r"<str:\w+>", "x", url)
    return re.sub(r"\{\w+\}", "1", url)


def _export_text(content: bytes, url: str) -> str:
    if url.endswith(".xlsx"):
        import io

        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(content), read_only=True).active
        return "\n".join(
            " ".join(str(c or "") for c in row) for row in ws.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def test_the_table_names_every_role_and_no_capability_shadows_an_action():
    assert set(CAPABILITIES) == set(ROLES)
    assert not {c.value for c in Cap} & {a.value for a in Action}


def test_every_page_and_api_operation_is_in_the_matrix():
    """Petition pages and operations are recognised by their petition_id; the others by name."""
    known_web = {
        "web:home",
        "web:login",
        "web:logout",
        "web:worklist",
        "web:search",
        "web:saved_filter_create",
        "web:saved_filter_delete",
        "account:otp_verify",
        "account:otp_setup",
        "account:approvals",  # the two-person approvals: tests/test_two_person_approval.py
        "account:approval_decide",
        "web:export_csv",
        "web:export_xlsx",
        "analytics:summary",
        "analytics:rates",
        "analytics:drill",
        "analytics:due",
        "analytics:drill_export",  # its own owner rule: analytics/tests/test_list_export.py
        "analytics:export_new",  # every list's 台账: analytics/tests/test_list_export_kinds.py
        "analytics:export",
        "analytics:export_file",
        "analytics:trends",
        "analytics:report",
        "analytics:plotly_js",
        "matters:hot",
        "deadlines:calendar",
    }
    pages = _web_patterns()
    unclassified = [
        n
        for n, r in pages
        if "petition_id" not in r
        and n not in known_web
        and not n.startswith("web:intake")
        # source prevention: its records are not petitions; the pages by role below, the
        # records by scope in xinfang/prevention/tests
        and not n.startswith("prevention:")
        # reception: the calendar and the desk by role below, records by scope in
        # xinfang/reception/tests
        and not n.startswith("reception:")
        # resolution and oversight: supervision notices are not petitions; the pages by role
        # below, the notices by scope in xinfang/resolution/tests and tests/test_leaks.py
        and not n.startswith("resolution:")
        # routing rules: policy rows, not petitions; the pages by role below, the rules by
        # scope in xinfang/routing/tests
        and not n.startswith("routing:")
        # history imports: the uploader's own runs; the pages by role below, the runs by owner
        # in xinfang/imports/tests/test_pages.py, the imported accusations in tests/test_leaks.py
        and not n.startswith("imports:")
        # data exchange (issue 20): peers of the federation and Open311 keys, administrators
        # only (below); the federation's message endpoint has its own gate (signatures)
        and not n.startswith("exchange:")
        and not n.startswith("federation:peer")
    ]
    assert unclassified == [], "add these pages to the authorisation matrix"
    ops = _api_operations()
    known_api = {
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/petitions"),
        ("GET", "/api/v1/petitions"),
        ("GET", "/api/v1/worklist"),
        ("GET", "/api/v1/search"),
        ("POST", "/api/v1/search"),
        ("GET", "/api/v1/organs"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/export/petitions"),
        ("GET", "/api/v1/analytics/summary"),
    }
    unclassified = [o for o in ops if "{petition_id}" not in o[1] and o not in known_api]
    assert unclassified == [], "add these API operations to the authorisation matrix"


CASES = [(s, role, rel) for s, rels in SCENARIOS.items() for role in ROLES for rel in rels]


@pytest.mark.parametrize(
    ("scenario", "role", "relation"), CASES, ids=[f"{s}-{r}-{rel}" for s, r, rel in CASES]
)
def test_the_matrix(client, world, register, scenario, role, relation):
    from xinfang.api.services import token_issue

    setup = _scenario(world, register, scenario)
    p = setup.petition
    user = _user(role, setup.organs[relation])
    if relation == "named":
        p.accused_staff.add(user)
    client.force_login(user)
    token = token_issue(user=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    wrong: list[str] = []
    visible = sees(role, relation)
    api_ok = role_can(role, Cap.API)

    def check(what: str, cond: bool, detail: object = "") -> None:
        if not cond:
            wrong.append(f"{what}: {detail}")

    def attempt(fn):  # a write that must not stay (the next cell starts from the same state)
        with transaction.atomic():
            r = fn()
            transaction.set_rollback(True)
        return r

    # -- staff pages --------------------------------------------------------------------------
    for name, route in _web_patterns():
        if "petition_id" not in route:
            continue
        url = _fill(route, p.pk)
        if route.endswith("/accused/"):  # the handling organ names the accused (POST only)
            r = attempt(lambda url=url: client.post(url, {"accused_persons": "某人"}))
            if not visible:
                check(f"POST {name}", r.status_code == 404, r.status_code)
            elif may_name_accused(role, relation):
                want = 302 if scenario == "accusation" else 400  # only an accusation names anyone
                check(f"POST {name}", r.status_code == want, r.status_code)
            else:
                check(f"POST {name}", r.status_code == 403, r.status_code)
            continue
        if route.endswith("/flags/"):  # a cross-cutting fact (regulation §6.1; POST only)
            r = attempt(lambda url=url: client.post(url, {"flag": "backlog", "on": "1"}))
            if not visible:
                check(f"POST {name}", r.status_code == 404, r.status_code)
            elif may_flag(role, relation):
                check(f"POST {name}", r.status_code == 302, r.status_code)
            else:
                check(f"POST {name}", r.status_code == 403, r.status_code)
            continue
        if "/draft/" in route:  # the editor of a decision the head signs (issue 12, item 7)
            url = url.replace(f"/{Action.ACKNOWLEDGE.value}/", f"/{Action.ISSUE_OPINION.value}/")
            r = client.get(url)
            body = r.content.decode(errors="replace")
            if not visible:
                check(
                    f"GET {name}",
                    r.status_code == 404 and TITLE[scenario] not in body,
                    r.status_code,
                )
            else:  # a transferred petition has no opinion to draft yet: refused, by role or law
                check(f"GET {name}", r.status_code in (403, 404, 409), r.status_code)
            continue
        if "/targets/" in route:  # the organ picker's search (issue 12, item 10): GET, JSON
            url = url.replace(f"/{Action.ACKNOWLEDGE.value}/", f"/{Action.TRANSFER.value}/")
            r = client.get(url, {"q": "局"})
            body = r.content.decode(errors="replace")
            if not visible:
                check(
                    f"GET {name}",
                    r.status_code == 404 and TITLE[scenario] not in body,
                    r.status_code,
                )
            elif may_act(
                role, relation, Action.TRANSFER
            ):  # 403 only if the law has no transfer now
                check(f"GET {name}", r.status_code in (200, 403), r.status_code)
            else:
                check(f"GET {name}", r.status_code == 403, r.status_code)
            if r.status_code == 200 and p.accused_organ_id:  # never the accused (Art. 30 para 3)
                ids = {o["id"] for o in r.json()["organs"]}
                check(f"GET {name} accused", p.accused_organ_id not in ids, ids)
            continue
        if "/act/" in route:
            r = attempt(lambda url=url: client.post(url, {"at": "2025-09-01"}))
            if not visible:
                check(f"POST {name}", r.status_code == 404, r.status_code)
            elif may_act(role, relation, Action.ACKNOWLEDGE):
                check(f"POST {name}", r.status_code in (200, 302), r.status_code)
            else:
                check(f"POST {name}", r.status_code == 403, r.status_code)
            continue
        r = client.get(url)
        body = r.content.decode(errors="replace")
        if not visible:
            check(
                f"GET {name}", r.status_code == 404 and TITLE[scenario] not in body, r.status_code
            )
        elif route.count("<") == 1:  # the petition itself (no sub-object in the URL)
            check(f"GET {name}", r.status_code == 200, r.status_code)
        if name == "web:petition" and visible:
            check(
                "identity on the page",
                ("李四" in body) == sees_identity(role, relation, scenario)
                or scenario == "ordinary",
                "name shown/hidden wrongly",
            )
    r = client.get("/worklist/")
    in_worklist = role_can(role, Cap.VIEW_PETITIONS) and relation == "own"
    if role_can(role, Cap.VIEW_PETITIONS):
        check(
            "worklist",
            r.status_code == 200 and (TITLE[scenario] in r.content.decode()) == in_worklist,
            r.status_code,
        )
    else:  # no 待办 in the role's menu: sent home, never an empty list (walker item 13)
        check("worklist", r.status_code == 302 and r["Location"] == "/", r.status_code)
    home = client.get("/")
    check("home", home.status_code == 302 and home["Location"] != "/worklist/"
          or role_can(role, Cap.VIEW_PETITIONS), home.get("Location"))

    # -- exports and analytics (the same gate: no row, no count) -----------------------------
    for name in ("web:export_csv", "web:export_xlsx"):
        url = dict(_web_patterns())[name]
        r = client.get(url)
        if not role_can(role, Cap.EXPORT):
            check(f"GET {name}", r.status_code == 403, r.status_code)
            continue
        text = _export_text(r.content, url)
        check(
            f"GET {name}",
            r.status_code == 200 and (TITLE[scenario] in text) == visible,
            (r.status_code, visible),
        )
        if visible:
            check(
                f"{name} identity",
                ("13912345678" in text) == sees_identity(role, relation, scenario),
                "phone shown/hidden wrongly",
            )
    # The 台账 of every list (analytics.export_kinds, asked for as its button asks): a file only
    # for the roles the list's read gate and the export right allow (the role's answer, checked
    # once a role); the search results' file holds the petition exactly where the search page
    # finds it, by words and by phone, and the phone searched for is kept nowhere in the clear.
    from xinfang.analytics.export_kinds import kinds_all
    from xinfang.analytics.models import ListExport

    def ask(kind: str, query: str, key: str):  # type: ignore[no-untyped-def]
        data = {"once": f"mx-{key}", "kind": kind, "query": query}
        return attempt(lambda: client.post("/analytics/exports/new/", data))

    if scenario == "ordinary" and relation == "own":
        for name, kind in sorted(kinds_all().items()):
            if name == "rates_drill":  # asked for from the drill-down's form (above)
                continue
            may = all(role_can(role, c) for c in kind.caps)
            query = {"relief_fund": "fund=999999999", "search": "q=油烟"}.get(name, "")
            r = ask(name, query, name)
            want = (404 if name == "relief_fund" else 302) if may else 403  # no such fund
            check(f"台账 {name}", r.status_code == want, (r.status_code, may))
    if role_can(role, Cap.VIEW_PETITIONS) and role_can(role, Cap.EXPORT):
        from urllib.parse import urlencode

        for key, query in (
            ("words", urlencode({"q": TITLE[scenario]})),
            ("phone", urlencode({"q": "13912345678", "by": "phone"})),
        ):
            with transaction.atomic():
                r = client.post(
                    "/analytics/exports/new/",
                    {"once": f"mx-s-{key}", "kind": "search", "query": query},
                )
                if key == "phone" and not role_can(role, Cap.VIEW_IDENTITY):
                    check("台账 search by phone is refused", r.status_code == 403, r.status_code)
                else:
                    made = r.status_code == 302 and r["Location"].endswith("/file")
                    f = client.get(r["Location"]) if made else None
                    text = _export_text(b"".join(f.streaming_content), ".xlsx") if f else ""
                    want = visible if key == "words" else sees_identity(role, relation, scenario)
                    check(
                        f"台账 search by {key}",
                        r.status_code == 302 and (TITLE[scenario] in text) == want,
                        (r.status_code, want),
                    )
                    kept = str(list(ListExport.objects.values_list("params", flat=True)))
                    check("台账 search keeps no phone", "13912345678" not in kept, kept)
                transaction.set_rollback(True)

    r = client.get("/analytics/")
    if role_can(role, Cap.VIEW_DEIDENTIFIED):
        total = re.search(r'<strong id="total">(\d+)</strong>', r.content.decode())
        check(
            "analytics page",
            r.status_code == 200
            and total is not None
            and int(total.group(1)) == int(counted(role, relation)),
            r.status_code,
        )
        check("analytics page shows no petition", TITLE[scenario] not in r.content.decode())
    else:
        check("analytics page", r.status_code == 403, r.status_code)
    # The rates and the petitions behind each figure (regulation §8): the same gate, and the
    # drill-down names a petition (its tracking code) only where it is counted.
    for what, url in (
        ("rates page", "/analytics/rates/"),
        ("rates drill-down", "/analytics/rates/drill/?metric=accept"),
        ("open petitions overdue", f"/analytics/rates/due/?organ={p.current_organ_id}&due=overdue"),
        ("open petitions due soon", f"/analytics/rates/due/?organ={p.current_organ_id}&due=due_soon"),
        ("trends page", "/analytics/trends/"),
        ("report form", "/analytics/report/"),
    ):
        r = client.get(url)
        if role_can(role, Cap.VIEW_DEIDENTIFIED):
            body = r.content.decode()
            check(what, r.status_code == 200 and TITLE[scenario] not in body, r.status_code)
            if not counted(role, relation):
                check(f"{what} names no petition it must not", p.tracking_code not in body)
        else:
            check(what, r.status_code == 403, r.status_code)

    if role_can(role, Cap.VIEW_HOT_ISSUES):
        from xinfang.insight.hot.snapshots import hot_snapshots_refresh

        hot_snapshots_refresh()  # the worker's: the page shows what it computed
    r = client.get("/insight/hot/")
    if role_can(role, Cap.VIEW_HOT_ISSUES):
        body = r.content.decode()
        check("hot page", r.status_code == 200 and TITLE[scenario] not in body, r.status_code)
        check("hot page computed", "本页结果计算于" in body)
        check("hot page names no one", "李四" not in body and "13912345678" not in body)
    else:
        check("hot page", r.status_code == 403, r.status_code)

    # The holiday calendar (ADR 0012): administrators only; it names no petition, and the menu
    # links it only for them.
    r = client.get("/calendar/")
    if role_can(role, Cap.ADMIN):
        check("calendar page", r.status_code == 200 and TITLE[scenario] not in r.content.decode())
    else:
        check("calendar page", r.status_code == 403, r.status_code)
        confirm = attempt(lambda: client.post("/calendar/", {"text": "年份：2026", "confirm": "1"}))
        check("calendar confirm", confirm.status_code == 403, confirm.status_code)
    menu = client.get("/search/").content.decode()
    check("calendar menu link", ('href="/calendar/"' in menu) == role_can(role, Cap.ADMIN))

    # Routing rules (xinfang.routing, Art. 5): administrators only, and only in the menu for them.
    admin = role_can(role, Cap.ADMIN)
    for url in ("/routing/rules/", "/routing/rules/new/", "/routing/check/"):
        r = client.get(url)
        check(f"routing {url}", r.status_code == (200 if admin else 403), r.status_code)
    check("routing menu link", ('href="/routing/rules/"' in menu) == admin)

    # Data exchange (issue 20): the peers of the federation and the Open311 keys, trust anchors
    # of the whole installation: for its province-level administrators only (as the backlog
    # criteria), and only in the menu for them; a refused POST changes nothing.
    from xinfang.directory.permissions import user_administers_installation

    installation = user_administers_installation(user)
    for url in ("/federation/peers/", "/exchange/keys/"):
        r = client.get(url)
        check(f"exchange {url}", r.status_code == (200 if installation else 403), r.status_code)
        body = r.content.decode()
        check(f"exchange {url} names no petition", TITLE[scenario] not in body)
    check("exchange menu link", ('href="/federation/peers/"' in menu) == installation)
    if not installation:
        r = attempt(lambda: client.post("/exchange/keys/", {"name": "越权应用"}))
        check("exchange key issue refused", r.status_code == 403, r.status_code)
        r = attempt(lambda: client.post("/federation/peers/", {"name": "越权"}))
        check("federation peer add refused", r.status_code == 403, r.status_code)

    # History imports (xinfang.imports): the roles that register, for their organ and below;
    # the menu links it only for them.
    imports = role_can(role, Action.REGISTER)
    r = client.get("/imports/")
    check("imports page", r.status_code == (200 if imports else 403), r.status_code)
    check("imports menu link", ('href="/imports/"' in menu) == imports)

    # Source prevention (xinfang.prevention): the ledger for the roles that read it, the desk
    # for those that record, the export for those that also export; the menu links it only
    # for those who may open it.
    prevents = role_can(role, Cap.PREVENTION_VIEW)
    check("prevention menu link", ('href="/prevention/disputes/"' in menu) == prevents)
    r = client.get("/prevention/disputes/")
    check("prevention ledger", r.status_code == (200 if prevents else 403), r.status_code)
    r = client.get("/prevention/disputes/new/")
    records = role_can(role, Cap.PREVENTION_RECORD)
    check("prevention desk", r.status_code == (200 if records else 403), r.status_code)
    r = client.get("/prevention/disputes/ledger.xlsx")
    exports = prevents and role_can(role, Cap.EXPORT)
    check("prevention export", r.status_code == (200 if exports else 403), r.status_code)

    # Reception (xinfang.reception, Art. 18): the calendar for the roles that read it, publishing
    # for those that manage it; the menu links it only for those who may open it.
    receives = role_can(role, Cap.RECEPTION_VIEW)
    check("reception menu link", ('href="/reception/"' in menu) == receives)
    r = client.get("/reception/")
    check("reception calendar", r.status_code == (200 if receives else 403), r.status_code)
    r = client.get("/reception/sessions/new/")
    manages = role_can(role, Cap.RECEPTION_MANAGE)
    check("reception desk", r.status_code == (200 if manages else 403), r.status_code)
    r = client.get("/reception/visits/")
    check("down-visit plans", r.status_code == (200 if receives else 403), r.status_code)
    body = r.content.decode() if r.status_code == 200 else ""
    check("down-visit plan link", ('href="/reception/visits/new/"' in body) == manages)
    r = client.get("/reception/visits/new/")
    check("down-visit plan form", r.status_code == (200 if manages else 403), r.status_code)

    # Supervision (xinfang.resolution, Art. 40): the list and the escalations for the roles
    # that read them, the new notice for those that supervise at a petition office.
    resolves = role_can(role, Cap.RESOLUTION_VIEW)
    check("supervision menu link", ('href="/resolution/supervision/"' in menu) == resolves)
    for path in (
        "/resolution/supervision/",
        "/resolution/escalations/",
        "/resolution/backlog/",
        "/resolution/hearings/",
        "/resolution/relief/",
        "/resolution/suggestions/",
        "/resolution/mediations/",
    ):
        r = client.get(path)
        check(path, r.status_code == (200 if resolves else 403), r.status_code)
    office = user.organ is not None and user.organ.kind == "petition_office"
    issues = role_can(role, Cap.SUPERVISE) and office
    r = client.get("/resolution/supervision/new/")
    check("supervision desk", r.status_code == (200 if issues else 403), r.status_code)
    hears = resolves and role_can(role, "hearing_start")
    r = client.get("/resolution/hearings/new/")
    check("hearing desk", r.status_code == (200 if hears else 403), r.status_code)
    # People's suggestions (Art. 29) and mediation (Art. 33): the desks for the roles that may
    # reply to a suggestion or settle a matter.
    studies = resolves and role_can(role, "reply")
    r = client.get("/resolution/suggestions/new/")
    check("suggestion desk", r.status_code == (200 if studies else 403), r.status_code)
    mediates = resolves and role_can(role, "settle")
    r = client.get("/resolution/mediations/new/")
    check("mediation desk", r.status_code == (200 if mediates else 403), r.status_code)
    r = client.get("/portal/suggestions/")
    check("public suggestions", r.status_code == 200, r.status_code)
    applies = resolves and role_can(role, Cap.RELIEF_APPLY)
    r = client.get("/resolution/relief/new/")
    check("relief desk", r.status_code == (200 if applies else 403), r.status_code)

    r = client.get("/search/", {"q": TITLE[scenario]})
    check(
        "search page",
        r.status_code == 200 and (f"/petitions/{p.pk}/" in r.content.decode()) == visible,
        r.status_code,
    )

    # -- API ----------------------------------------------------------------------------------
    for method, path in _api_operations():
        if path == "/api/v1/auth/token":
            continue
        url = _fill(path, p.pk)
        if method == "GET":
            r = client.get(url, **auth)
        else:
            body = (
                {"at": "2025-09-01", "reason": "", "data": {}}
                if "{petition_id}" in path
                else {
                    "channel": "letter",
                    "title": "矩阵登记",
                    "content": "内容",
                    "region_code": "990102",
                    "category": "appeal",
                    "route": 6,
                    "parties": [{"role": "petitioner", "name": "王五"}],
                }
            )
            r = attempt(
                lambda url=url, body=body: client.post(
                    url, body, content_type="application/json", **auth
                )
            )
        op = f"{method} {path}"
        check(op + " is never 5xx", r.status_code < 500, r.status_code)
        if not api_ok:
            check(op, r.status_code == 401, r.status_code)
            continue
        if "{petition_id}" in path:
            if not visible:
                check(op, r.status_code == 404, r.status_code)
            elif method == "GET" and path.count("{") == 1:
                check(op, r.status_code == 200, r.status_code)
                data = r.json()
                unmasked = any("*" not in x["phone"] for x in data["parties"])
                check(
                    "API identity",
                    unmasked == sees_identity(role, relation, scenario),
                    data["parties"],
                )
            elif path.endswith("/actions/{action}"):
                want = 200 if may_act(role, relation, Action.ACKNOWLEDGE) else 403
                check(op, r.status_code == want, (r.status_code, r.content[:200]))
            elif path.endswith("/accused"):
                if not may_name_accused(role, relation):
                    want = 403
                else:
                    want = 200 if scenario == "accusation" else 400
                check(op, r.status_code == want, (r.status_code, r.content[:200]))
        elif path == "/api/v1/petitions" and method == "GET":
            ids = [x["id"] for x in r.json()["items"]]
            check(op, r.status_code == 200 and (p.pk in ids) == visible, (r.status_code, ids))
            for q in ({"category": p.category}, {"state": p.state}, {"region_code": "990102"}):
                ids = [x["id"] for x in client.get(url, q, **auth).json()["items"]]
                check(f"{op} {q}", (p.pk in ids) == visible, ids)
        elif path == "/api/v1/search":
            check(op, r.status_code == 200, r.status_code)
            for q in (
                {"q": TITLE[scenario]},
                {"q": p.tracking_code, "by": "code"},
                {"q": TITLE[scenario], "state": p.state, "category": p.category},
            ):
                r = client.get(url, q, **auth)
                ids = [x["id"] for x in r.json()["items"]]
                check(f"{op} {q}", r.status_code == 200 and (p.pk in ids) == visible, ids)
            r = client.post(
                url, {"q": "13912345678", "by": "phone"}, content_type="application/json", **auth
            )
            if role_can(role, Cap.VIEW_IDENTITY):
                ids = [x["id"] for x in r.json()["items"]]
                want = sees_identity(role, relation, scenario)
                check(f"{op} by phone", r.status_code == 200 and (p.pk in ids) == want, ids)
            else:
                check(f"{op} by phone is refused", r.status_code == 403, r.status_code)
        elif path == "/api/v1/worklist":
            ids = [x["id"] for x in r.json()["items"]]
            check(op, (p.pk in ids) == in_worklist, ids)
        elif path == "/api/v1/export/petitions":
            if not role_can(role, Cap.EXPORT):
                check(op, r.status_code == 403, r.status_code)
            else:
                text = r.content.decode("utf-8")
                check(
                    op,
                    r.status_code == 200 and (TITLE[scenario] in text) == visible,
                    (r.status_code, visible),
                )
        elif path == "/api/v1/analytics/summary":
            if not role_can(role, Cap.VIEW_DEIDENTIFIED):
                check(op, r.status_code == 403, r.status_code)
            else:
                check(
                    op,
                    r.status_code == 200 and r.json()["total"] == int(counted(role, relation)),
                    (r.status_code, r.content[:200]),
                )
        elif path == "/api/v1/petitions" and method == "POST":
            want = 201 if role_can(role, Action.REGISTER) else 403
            check(op, r.status_code == want, (r.status_code, r.content[:200]))
        else:
            check(op, r.status_code == 200, r.status_code)

    # -- the admin site is no way around it ------------------------------------------------
    from xinfang.petitions.selectors import petition_queryset_for_user

    check(
        "admin queryset", petition_queryset_for_user(user=user).filter(pk=p.pk).exists() == visible
    )
    assert wrong == [], f"{scenario} / {role} / {relation}:\n" + "\n".join(wrong)


# --- taking back a transfer to another installation (取回, issue 20) --------------------------

TAKE_BACK_RELATIONS = ["sender", "sender_parent", "other_office"]


@pytest.mark.parametrize("relation", TAKE_BACK_RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_take_back_is_for_the_sending_office_in_the_roles_the_table_gives_it(
    world, register, client, role, relation
):
    """An undelivered transfer to another installation: the take-back is offered on the page
    and in the API detail, and taken, by exactly the sending office's users whose role the
    table gives ``take_back``; its parent government and another petition office that both see
    the petition are refused (403), as is every role the table does not name."""
    from xinfang.api.services import token_issue
    from xinfang.directory.services import organ_create
    from xinfang.federation import envelope as e
    from xinfang.federation.services import peer_add, remote_organ_set
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import petition_act

    peer = peer_add(name="邻省", url="https://xf.other.example/", public_key=e.public_key_text(e.private_key_from_secret("matrix take back")))  # fmt: skip
    organ = organ_create(name="邻省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=world.county)  # fmt: skip
    remote_organ_set(organ=organ, peer=peer, remote_organ_id=3)
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 28)).petition
    petition_act(petition_id=p.pk, action=Action.TRANSFER, actor=world.clerk, at=local(2025, 8, 29), data={"to_organ_id": organ.pk})  # fmt: skip
    where = {"sender": world.county_po, "sender_parent": world.county_gov, "other_office": world.city_po}
    user = _user(role, where[relation])
    may = relation == "sender" and role_can(role, Action.TAKE_BACK)
    client.force_login(user)
    page = client.get(f"/petitions/{p.pk}/")
    offered = f'action="/petitions/{p.pk}/act/take_back/"' in page.content.decode()
    assert offered == may, (page.status_code, offered)
    if role_can(role, Cap.API) and page.status_code == 200:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
        detail = client.get(f"/api/v1/petitions/{p.pk}", **auth).json()
        assert ("take_back" in detail["available_actions"]) == may
    r = client.post(f"/petitions/{p.pk}/act/take_back/", {"reason": "对方停运", "confirm_withdraw": "on"})  # fmt: skip
    state = Petition.objects.get(pk=p.pk).state
    if may:
        assert (r.status_code, state) == (302, "routing")
    else:
        assert r.status_code in (403, 404) and state == "transferred", r.status_code
        if page.status_code == 200:  # it sees the petition: refused for what it is, not hidden
            assert r.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lands_on_a_page_of_its_own_menu(client, world, role):
    """Walker report item 13: an analyst or an administrator landed on 待办, not in their
    menu, and read its empty list as "nothing to do". Home (also where login leads) is the
    first page of the role's menu; /worklist/ sends a role without 待办 there."""
    user = _user(role, world.county_po if role != Role.ADMIN else world.prov_gov)
    client.force_login(user)
    r = client.get("/")
    assert r.status_code == 302, r.status_code
    landing = r["Location"]
    page = client.get(landing)
    assert page.status_code == 200, (landing, page.status_code)
    menu = page.content.decode().split('<header class="top">', 1)[1].split("</header>", 1)[0]
    assert f'href="{landing}"' in menu, (role, landing)
    r = client.get("/worklist/")
    if role_can(role, Cap.VIEW_PETITIONS):
        assert r.status_code == 200 and 'href="/worklist/"' in menu
    else:
        assert r.status_code == 302 and r["Location"] == "/" and 'href="/worklist/"' not in menu


def test_login_leads_to_the_role_s_home(client, world):
    user = _user(Role.ANALYST, world.county_po)
    r = client.post("/login/", {"username": user.username, "password": "Matrix-pass-123"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/")["Location"] != "/worklist/"
