"""Every surface, by construction, against the staff an accusation must never reach (issue 11).

The surfaces are not listed by hand: every URL pattern of the resolver (web, portal, API,
documents, insight, analytics, prevention, ops, …; the OpenAPI schema's paths are checked to be
among them) with its parameters filled with the planted accusation's id, code and the like,
by GET and by POST; and every model of the admin site, its list, its search and the change page
of every row. A new page, API operation or admin model is covered the day it is added.

The adversaries are users who WOULD see the accusation but for the rule (Art. 30 para 3,
Art. 46(5)), in every role: the petition offices of the township and of the county, both below
the accused county government and both with the accusation's organ in their region; staff named
in the accusation inside the very organ holding it; and the accused organ's own staff.
``test_the_adversaries_would_see_it_but_for_the_rule`` proves the reach, and a control user
sees the title where the adversaries must not.

Each adversary is one test (place × role, and one holding every role in each place), so the
parallel workers share them. The one holding every role requests every surface, by GET and POST,
and every admin page, before and after the accusation exists: the answer must not contain its
title, tracking code, accuser, phone or content, and, but for what differs between any two
requests (CSRF tokens, nonces), must be the same: no count changes. Each single role requests
every surface by GET after it exists and must not see it.

Rerun for a few users: ``-k "township-office and all"``;
``XINFANG_SURFACES_DUMP=/tmp/x.jsonl`` writes each changed answer (before, after) to read.

Planted faults this file catches (rerun: make the change, run this file):
- ``directory.selectors.organ_ancestor_ids`` returns only the user's own organ (the offices
  below the accused lose protection): the township office sees it;
- ``access._exclusions`` without ``~_names(user)``: the named staff see it;
- ``insight.classify.selectors.organ_hints_for`` without ``petition_id__in=visible``: the desk's
  fragment changes (a count);
- ``petitions.admin.petition_rows_for_user`` returns ``qs`` unchanged: the admin shows the
  topic decision / the audit records;
- ``resolution.access.notice_scope`` without its ``~Q(pk__in=accusing…)`` term: the staff named
  in the accusation see the supervision notice over it (its page, the list, the escalations).

The accusation went through a transfer chain with an objection whose reasons quote it (issue 20):
the chain section of the petition page is one more place it must not show.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import local
from xinfang.analytics.services import rates_rebuild
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.petitions.services import AttachmentInput, PartyInput, petition_act
from xinfang.petitions.workflow import Action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TITLE = "检举青山县人民政府强拆民房"
WORD = "强拆"  # what an adversary would search for (a query echoed back is no leak)
CONTENT = "城关镇幸福村七组房屋被违法强拆，请求查处"
ACCUSER = "欧阳检举"
PHONE = "13912349876"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: Patterns without parameters that are also POSTed to (forms that search or register).
POSTED = {
    "web:intake_similar",
    "web:search",
    "api:search",
    "api:petitions_register",
    "web:worklist",
}

#: Surfaces whose answer changes between the two passes by the adversary's own doing; they are
#: still searched for the accusation's title, code, accuser and content.
NOT_COMPARED = {
    "admin:audit.AuditRecord": "lists the adversary's own activity of the first pass",
    "admin:audit.AuditRecord?q": "the same",
    "admin:otp_totp.TOTPDevice": "the first pass opened the TOTP setup page (a new device)",
    "admin:otp_totp.TOTPDevice?q": "the same",
    "ops:ready": "the worker's heartbeat",
    "ops:live": "the same",
}

#: URL patterns not requested, each with its reason.
SKIPPED = {
    "web:logout": "ends the adversary's session (the rest would run as a visitor)",
    "web:login": "a login form: no petition",
    "set_language": "changes the language between the two passes",
    "api:openapi-view": "the schema's page: no data",
    "ops:metrics": "process counters (requests served) differ between any two passes",
    "analytics:plotly_js": "plotly.js from the installed package: no data",
}


def _fill(pattern: str, p: Any, ids: dict[str, Any]) -> str:
    """The pattern's parameters filled with the planted accusation's values."""
    values = {
        "petition_id": p.pk,
        "attachment_id": ids["attachment"],
        "seq": 1,
        "action": "close",
        "channel": "letter",
        "op": "link",
        "code": p.tracking_code,
        "stage": "handling",
        "form": "step",
        "notice_id": ids.get("notice", 1),
    }

    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        return str(values.get(name, 1))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, pattern)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def _surfaces() -> list[tuple[str, str]]:
    """(name, pattern) of every URL pattern outside the admin site."""
    out: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, ns: str) -> None:
        for x in patterns:
            if isinstance(x, URLResolver):
                inner = ":".join(n for n in (ns, x.namespace or "") if n)
                if inner == "admin":
                    continue  # the admin site is enumerated by its models below
                walk(x.url_patterns, prefix + str(x.pattern), inner)
            elif isinstance(x, URLPattern):
                name = f"{ns}:{x.name}" if ns else str(x.name)
                out.append((name, prefix + str(x.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(out))


def _text(body: bytes) -> str:
    """The response as text, the inside of a DOCX or XLSX too."""
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    return body.decode("utf-8", "replace")


_VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'name="submission" value="[^"]*"'),  # a form's one-time submission key
    re.compile(r'name="once" value="[^"]*"'),
    # a message flashed by the previous request (an admin page refused: "ID … 不存在")
    re.compile(r'<ul class="messagelist">.*?</ul>|<ul class="messages">.*?</ul>', re.S),
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r'"csrfToken": "[^"]*"'),
]


def _same(text: str) -> str:
    for rx in _VOLATILE:
        text = rx.sub("", text)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def place(world):
    """A township under the county, its petition office below the county office, and the city
    discipline commission's group stationed there (not below the county government)."""
    from xinfang.directory.models import Region
    from xinfang.directory.services import organ_create

    township = Region.objects.create(
        code="990102001", name="城关镇", level=Level.TOWNSHIP, parent=world.county
    )
    office = organ_create(
        name="城关镇信访办",
        kind=OrganKind.PETITION_OFFICE,
        level=Level.TOWNSHIP,
        region=township,
        parent=world.county_po,
    )
    group = organ_create(
        name="东湖市纪委监委驻城关镇纪检监察组",
        kind=OrganKind.DISCIPLINE,
        level=Level.TOWNSHIP,
        region=township,
        parent=world.city_gov,
    )
    return township, office, group


#: Where the adversaries sit: below the accused (the two petition offices), the accused organ
#: itself, and the organ holding the accusation (its staff named in it).
PLACES = ("township-office", "county-office", "accused-organ", "named-in-holder")
#: Every role alone, and all of them at once (the one who reaches every surface).
ROLES = (*(r.value for r in Role), "all")
ADVERSARIES = [f"{where}/{role}" for where in PLACES for role in ROLES]


def _users(world, place, keys: list[str] | None = None) -> dict[str, Any]:
    """The adversaries named by ``keys`` (all of them by default) and, always, the staff of the
    organ holding the accusation (it names them)."""
    from xinfang.directory.services import staff_create

    township, office, group = place
    organs = {
        "township-office": office,
        "county-office": world.county_po,
        "accused-organ": world.county_gov,
        "named-in-holder": group,
    }
    wanted = set(ADVERSARIES if keys is None else keys)
    wanted |= {k for k in ADVERSARIES if k.startswith("named-in-holder/")}
    out = {}
    for key in ADVERSARIES:  # the same order (and so the same ids) whichever are wanted
        if key not in wanted:
            continue
        where, role = key.split("/")
        out[key] = staff_create(
            username=f"adv-{where}-{role}",
            password="Adversary-123",
            organ=organs[where],
            roles=[r.value for r in Role] if role == "all" else [role],
        )
    return out


def _plant(world, place, named: list[Any]) -> tuple[Any, dict[str, Any]]:
    from xinfang.feedback.models import Evaluation
    from xinfang.insight.classify.services import topic_decide
    from xinfang.insight.models import Topic
    from xinfang.petitions.services import petition_register
    from xinfang.petitions.services.register import PetitionInput

    _, _, group = place
    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title=TITLE,
            content=CONTENT,
            region_code="990102",
            category="accusation",
            accused_organ_id=world.county_gov.pk,
            accused_staff_ids=[u.pk for u in named],
            received_at=local(2025, 8, 28),
            parties=[PartyInput(role="petitioner", name=ACCUSER, phone=PHONE)],
            attachments=[AttachmentInput("举报材料.pdf", PDF)],
        ),
        organ=world.city_po,
        actor=world.city_clerk,
        at=local(2025, 8, 28),
    ).petition
    topic_decide(
        petition=p, topic=Topic.objects.get(name="国土资源", parent=None), actor=world.city_clerk
    )
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": group.pk},
    )
    # the transfer chain (issue 20): the group objects with reasons that name the matter, the
    # city office disagrees and the item stays with the group; the chain panel shows it all
    petition_act(
        petition_id=p.pk,
        action=Action.OBJECT,
        actor=None,
        at=local(2025, 8, 29),
        reason=f"{TITLE}：{CONTENT}，非本组管辖",
    )
    petition_act(
        petition_id=p.pk,
        action=Action.OBJECTION_REJECT,
        actor=world.city_clerk,
        at=local(2025, 8, 29),
        reason=f"{TITLE}属驻镇纪检监察组管辖",
    )
    Evaluation.objects.create(
        petition=p,
        stage="handling",
        organ=group,
        rating="dissatisfied",
        comment=f"{TITLE}：处理不公",
        created_at=local(2025, 8, 30),
    )
    # the city office supervises the group over it (issue 18), and the ladder climbs
    from xinfang.resolution.services import escalate, supervision_issue

    notice = supervision_issue(
        actor=world.city_clerk,
        organ=group,
        petition_ids=[p.pk],
        reasons=["delay"],
        facts=f"{TITLE}：逾期未办理",
        at=local(2025, 8, 30),
    )
    escalate(now=local(2025, 12, 1))
    # a suggestion study and a mediation record over it (rows the law would not make for an
    # accusation, but a category changed later must not open a door): their lists and pages
    # are surfaces too (Arts. 29, 33)
    from xinfang.resolution.models import Mediation, Suggestion

    Suggestion.objects.create(
        petition=p,
        organ_id=p.current_organ_id,
        subject=f"{TITLE}的建议",
        created_by=world.city_clerk,
        created_at=local(2025, 8, 30),
    )
    Mediation.objects.create(
        petition=p,
        organ_id=p.current_organ_id,
        kind="mediation",
        held_on=local(2025, 8, 30).date(),
        place="调解室",
        mediator="调解人",
        present=ACCUSER,
        agreed=f"{TITLE}：协议",
        created_by=world.city_clerk,
        created_at=local(2025, 8, 30),
    )
    p.refresh_from_db()
    rates_rebuild()  # the rate pages read the rollup as the tick last built it
    return p, {"attachment": p.attachments.first().pk, "notice": notice.pk}


def _bump(model: Any, to: int) -> int:
    """Set the table's id sequence so the next row gets ``to + 1`` (distinctive ids: a page that
    differs only by a small id would otherwise be unreadable). Returns that id."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, to])
        else:
            c.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            c.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, to])
    return to + 1


def _secrets(p: Any) -> list[str]:
    from xinfang.core import ids

    return [
        TITLE,
        CONTENT,
        ACCUSER,
        PHONE,
        p.tracking_code,
        ids.format_tracking_code(p.tracking_code),
    ]


def _admin_requests(p: Any, rows: int = 5) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, path, query) for every admin model: the list, a search by the accusation's id,
    code and a word of its title, and the change page of its newest rows (where planting the
    accusation wrote)."""
    from django.contrib import admin

    out = []
    for model, _ in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        out.append((f"admin:{model._meta.label}", base, {}))
        for q in (str(p.pk), p.tracking_code, WORD):
            out.append((f"admin:{model._meta.label}?q", base, {"q": q}))
        for pk in model._default_manager.values_list("pk", flat=True).order_by("-pk")[:rows]:
            out.append((f"admin:{model._meta.label}:change", f"{base}{pk}/change/", {}))
    return out


def test_the_openapi_schema_has_no_path_the_resolver_does_not_enumerate(client, world):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    enumerated = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pat) for _n, pat in _surfaces()}
    for path in r.json()["paths"]:
        assert path.lstrip("/") in enumerated, path


def test_the_adversaries_would_see_it_but_for_the_rule(world, place):
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import access, petition_queryset_for_user

    users = _users(world, place)
    named = [u for k, u in users.items() if k.startswith("named-in-holder/")]
    p, _ = _plant(world, place, named)
    offices = [k for k in users if k.startswith(("township-office/", "county-office/"))]
    assert offices
    for key in offices:
        organ = users[key].organ
        assert Petition.objects.filter(access._held(organ), pk=p.pk).exists(), key  # in reach
    for u in named:
        assert p.current_organ_id == u.organ_id  # its own organ holds it
    for key, u in users.items():
        assert not petition_queryset_for_user(user=u).filter(pk=p.pk).exists(), key


def test_every_adversary_is_a_test_of_its_own():
    """The parametrisation is built from the roles: a new role is a new adversary everywhere."""
    assert len(ADVERSARIES) == len(PLACES) * (len(Role) + 1)
    assert {k.split("/")[1] for k in ADVERSARIES} == {r.value for r in Role} | {"all"}


@pytest.mark.parametrize("adversary", ADVERSARIES)
def test_no_surface_shows_an_accusation_or_its_count_to_those_it_must_not_reach(
    client, world, place, adversary
):
    from xinfang.api.services import token_issue
    from xinfang.directory.permissions import Cap, user_can
    from xinfang.directory.services import staff_create

    everyone = _users(world, place, [adversary])
    named = [u for k, u in everyone.items() if k.startswith("named-in-holder/")]
    users = {adversary: everyone[adversary]}
    tokens = {k: token_issue(user=u) for k, u in users.items()}
    surfaces = [(n, pat) for n, pat in _surfaces() if n not in SKIPPED]

    def requests(p: Any, ids: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
        out = []
        query = {"q": WORD, "title": WORD, "content": WORD, "phone": PHONE, "by": "text"}
        body = {"petition_id": p.pk, "other_id": p.pk, "repeat_of_id": p.pk, **query}
        for name, pat in surfaces:
            path = _fill(pat, p, ids)
            out.append((name, "get", path, query))
            if "<" in pat or name in POSTED:
                out.append((name, "post", path, body))
        return out

    def admin_requests(p: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
        return [(label, "get", path, q) for label, path, q in _admin_requests(p)]

    sent_data: dict[tuple[str, str, str, str], Any] = {}

    def run(
        p: Any, ids: dict[str, Any], *, full: bool
    ) -> dict[tuple[str, str, str, str], tuple[int, str]]:
        """Every surface for the users holding every role (``full``: both passes, GET and
        POST, the admin pages); every GET surface for each single role (the second pass)."""
        from django.core.cache import cache

        cache.clear()  # the portal's rate limits: the same state in both passes
        seen = {}
        for key, u in users.items():
            every = key.endswith("/all")
            if full and not every:
                continue
            client.force_login(u)
            auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[key]}"}
            todo = requests(p, ids)
            if not every:
                todo = [x for x in todo if x[1] == "get"]
            elif user_can(u, Cap.ADMIN) or user_can(u, Cap.AUDIT):
                todo += admin_requests(p)  # the others are turned away at the door (tested)
            for name, method, path, data in todo:
                api = path.startswith("/api/")
                if method == "get":
                    r = client.get(path, data, **(auth if api else {}))
                elif api:
                    r = client.post(path, data, content_type="application/json", **auth)
                else:
                    r = client.post(path, data)
                # getvalue(): a FileResponse (an attachment) streams and has no .content
                seen[(key, name, method, path)] = (r.status_code, _text(r.getvalue()))
                sent_data[(key, name, method, path)] = data
        return seen

    # the first pass: before the accusation exists, with its ids already (the sequences are set
    # so the accusation and its attachment get these ids), then the second pass after it
    from xinfang.petitions.models import Attachment, Petition
    from xinfang.resolution.models import SupervisionNotice

    pid, aid = _bump(Petition, 900_000_000), _bump(Attachment, 900_000_000)
    nid = _bump(SupervisionNotice, 900_000_000)

    class StandIn:
        pk = pid
        tracking_code = "ZZZZZZZZZZZZZZZZ"

    rates_rebuild()
    # the one holding every role only
    before = run(StandIn, {"attachment": aid, "notice": nid}, full=True)
    p, ids = _plant(world, place, named)
    assert (p.pk, ids["attachment"], ids["notice"]) == (pid, aid, nid)
    after = run(p, ids, full=False)
    secrets = _secrets(p)
    leaks, changed = [], []
    for k, (status, text) in after.items():
        sent = k[3] + repr(sent_data.get(k, ""))
        leaks += [(k, s) for s in secrets if s in text and s not in sent]  # not an echo
        if not k[0].endswith("/all") or k[1] in NOT_COMPARED or k[1].endswith(":change"):
            continue  # see NOT_COMPARED; admin rows differ by construction (refused: 302/404)
        old = before.get((k[0], k[1], k[2], k[3].replace(p.tracking_code, StandIn.tracking_code)))
        same = _same(text.replace(p.tracking_code, StandIn.tracking_code))
        if old is None or old[0] != status or _same(old[1]) != same:
            changed.append((k, old and old[0], status))
    # every surface was requested (by GET at least); the one holding every role: all of them
    names = {n for n, _ in surfaces}
    assert {k[1] for k in after} >= names
    if adversary.endswith("/all"):
        assert {k[1] for k in before} >= names
        assert {k[1:3] for k in after if k[1] in names} == {k[1:3] for k in before if k[1] in names}
        assert any(k[1].startswith("admin:") for k in after)
    assert leaks == [], leaks[:20]
    import os

    if os.environ.get("XINFANG_SURFACES_DUMP"):
        import json

        with open(os.environ["XINFANG_SURFACES_DUMP"], "w") as f:
            for k, a, b in changed:
                old = before.get((k[0], k[1], k[2], k[3]))
                new = after[k]
                json.dump(
                    {
                        "k": k,
                        "a": a,
                        "b": b,
                        "old": old and _same(old[1])[:20000],
                        "new": _same(new[1])[:20000],
                    },
                    f,
                    ensure_ascii=False,
                )
                f.write("\n")
    assert changed == [], changed[:20]

    # the control: the organ holding it sees it (the probe would have seen a leak)
    colleague = staff_create(
        username="control", password="Control-123", organ=p.current_organ, roles=[Role.HANDLER]
    )
    client.force_login(colleague)
    assert TITLE in client.get(f"/petitions/{p.pk}/").content.decode()
    assert TITLE in client.get("/worklist/").content.decode()
    office = staff_create(
        username="control-office",
        password="Control-123",
        organ=world.city_po,
        roles=[Role.REGISTRAR],
    )
    client.force_login(office)  # the supervising office reads its notice
    assert TITLE in client.get(f"/resolution/supervision/{ids['notice']}/").content.decode()
