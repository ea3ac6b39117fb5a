"""Property-based API testing: schemathesis drives /api/v1 from its own OpenAPI schema.

In-process through WSGI, a bounded number of generated requests per operation (fast enough for
every CI run). Every answer must be a non-5xx response that matches the schema and the declared
status codes.

The requests reach the states where leaks happen, not only fresh petitions (issue 11): before
the run, petitions stand in several states of the procedure (registered, transferred to an
organ, acknowledged, opinion issued, review requested) beside an accusation against the county
government (Art. 30 para 3, Art. 46(5)). A generated ``petition_id`` is mapped onto one of them,
so reads and actions hit real objects; the requests are sent in turn by the county office's head
(who registers and transfers), the housing bureau's head (who handles), the county government's
head (the accused organ; the review organ) and the city office's clerk (who holds the
accusation). No answer to the first three may carry the accusation's title, tracking code,
accuser or phone; the city clerk, the control, does see it. A second property test walks the
procedure by the actions the API itself offers (``available_actions``) with valid bodies whose
texts are drawn by hypothesis, so actions succeed and the walk goes deep.

Strings get NUL, the other C0 control characters, DEL and (in JSON bodies) lone surrogates;
every operation also gets raw invalid UTF-8. Every such input is a 4xx in the documented JSON
shape from the one boundary (``xinfang.core.boundary``), and nothing stored holds one.

Planted faults this module catches (rerun: make the change, run this file):
- ``xinfang.core.inputs._BAD`` without ``\\x01-\\x08`` (the boundary lets C0 through): a
  poisoned action is answered 422 instead of the boundary's 400, and the walk stores a reason
  with U+0001 (the stored-cleanly check; its characters are written out in this module);
- ``access._exclusions`` returning ``Q()`` (no accusation exclusion): the county office's head
  reads the accusation (200, not 404) in the reach test and in the walk (seen);
Not planted: the mapping of ``petition_id`` onto the prepared petitions is shown reaching them
only by ``test_the_walk_reaches_deep_states`` (actions succeed there), not by a counter.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from conftest import local

#: What no stored text may hold, written out here rather than taken from the app's own judge
#: (``xinfang.core.inputs``), so that a fault planted there is seen: C0 but tab, LF and CR,
#: DEL, lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    m = FORBIDDEN.search(value)
    return None if m is None else f"U+{ord(m.group()):04X}"


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

MAX_EXAMPLES = 20

TITLE = "检举青山县人民政府违规征地（接口探测）"
ACCUSER = "钱检举"
PHONE = "13912340077"


class Deep:
    """The petitions in their states, the users who send the requests and their tokens."""

    def __init__(self, world, register) -> None:  # type: ignore[no-untyped-def]
        from tests import flows
        from xinfang.api.services import token_issue
        from xinfang.directory.models import Level, OrganKind
        from xinfang.directory.services import organ_create
        from xinfang.petitions.services import PartyInput, PetitionInput, petition_register

        act = flows.act
        registered = register(
            title="幸福路路灯损坏", received_at=local(2025, 8, 20), at=local(2025, 8, 20)
        ).petition
        transferred = register(
            title="菜市场占道经营", received_at=local(2025, 8, 20), at=local(2025, 8, 20)
        ).petition
        act(
            world, transferred, "transfer", world.clerk, (2025, 8, 21), to_organ_id=world.housing.pk
        )
        acknowledged = register(
            title="小区电梯停运", received_at=local(2025, 8, 20), at=local(2025, 8, 20)
        ).petition
        act(
            world,
            acknowledged,
            "transfer",
            world.clerk,
            (2025, 8, 21),
            to_organ_id=world.housing.pk,
        )
        act(
            world,
            acknowledged,
            "acknowledge",
            world.head,
            (2025, 8, 22),
            category="appeal",
            route=6,
        )
        opinion = flows.opinion_delivered(world, register, extend=False)
        review = flows.opinion_delivered(world, register, extend=False)
        act(world, review, "request_review", world.city_head, (2025, 8, 28))
        inspection = organ_create(
            name="东湖市纪委监委驻青山县纪检监察组",
            kind=OrganKind.DISCIPLINE,
            level=Level.COUNTY,
            region=world.county,
            parent=world.city_gov,
        )
        accusation = petition_register(
            data=PetitionInput(
                channel="letter",
                title=TITLE,
                content="青山县人民政府违规征收幸福村集体土地，请求调查处理。",
                region_code="990102",
                category="accusation",
                accused_organ_id=world.county_gov.pk,
                received_at=local(2025, 8, 28),
                parties=[PartyInput(role="petitioner", name=ACCUSER, phone=PHONE)],
            ),
            organ=world.city_po,
            actor=world.city_clerk,
            at=local(2025, 8, 28),
        ).petition
        act(
            world,
            accusation,
            "transfer",
            world.city_clerk,
            (2025, 8, 29),
            to_organ_id=inspection.pk,
        )
        self.petitions = [registered, transferred, acknowledged, opinion, review, accusation]
        for p in self.petitions:
            p.refresh_from_db()
        self.ids = [p.pk for p in self.petitions]
        self.accusation = accusation
        self.secrets = [TITLE, accusation.tracking_code, ACCUSER, PHONE]
        # (user, may see the accusation): the accused organ, an office and a bureau below it
        self.users = [
            (world.po_head, False),
            (world.head, False),
            (world.city_head, False),
            (world.city_clerk, True),
        ]
        self.tokens = {u.pk: token_issue(user=u, name="schemathesis") for u, _ in self.users}
        self.turn = itertools.count()

    def next_user(self):  # type: ignore[no-untyped-def]
        return self.users[next(self.turn) % len(self.users)]

    def map_ids(self, case) -> None:  # type: ignore[no-untyped-def]
        """A generated petition id becomes one of the real petitions (negative cases that are
        no integer keep their garbage)."""
        params = case.path_parameters or {}
        v = params.get("petition_id")
        if isinstance(v, int) and not isinstance(v, bool):
            params["petition_id"] = self.ids[v % len(self.ids)]

    def assert_hidden(self, user, body: bytes, label: str) -> None:  # type: ignore[no-untyped-def]
        text = body.decode("utf-8", "replace")
        for s in self.secrets:  # as written and as JSON escapes it (\\u68c0…)
            for form in (s, json.dumps(s)[1:-1]):
                assert form not in text, (user.username, label, s, text[:300])

    def assert_stored_cleanly(self) -> None:
        """No text column a request can write holds a character the boundary refuses."""
        from xinfang.petitions.models import Party, Petition, PetitionEvent

        rows = [
            *Petition.objects.values_list("title", "content", "accused_persons"),
            *Party.objects.values_list("name", "address"),
            *PetitionEvent.objects.values_list("reason"),
        ]
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    assert text_problem(value) is None, (value[:80], text_problem(value))


@pytest.fixture
def deep(world, register, frozen):  # type: ignore[no-untyped-def]
    # The raw WSGI handler closes "old" connections around each request, which would close the
    # test's transaction on PostgreSQL; Django's own test client does the same as here.
    d = Deep(world, register)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield d
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_accusation_is_in_reach_of_the_control_and_hidden_from_the_accused(deep):
    """The probe is not vacuous: the city office's clerk reads the accusation through the API;
    the county office's head (below the accused, its region covering the holder), the housing
    bureau's head and the accused government's head get a 404 for it."""
    path = f"/api/v1/petitions/{deep.accusation.pk}"
    for user, sees in deep.users:
        r = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {deep.tokens[user.pk]}")
        if sees:
            assert r.status_code == 200 and r.json()["title"] == TITLE, user.username
        else:
            assert r.status_code == 404, (user.username, r.status_code)
            deep.assert_hidden(user, r.content, path)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_within_its_schema(case, deep):
    user, sees = deep.next_user()
    deep.map_ids(case)
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {deep.tokens[user.pk]}"},
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
    # The token is good: a valid request is refused as unauthenticated only by the login
    # operation (wrong password); negative cases also try the API without a token.
    if case.meta.generation.mode.is_positive and not case.operation.path.endswith("/auth/token"):
        assert response.status_code != 401
    if not sees:
        deep.assert_hidden(user, response.content, case.operation.label)


POISON = ("\x00", "\x01", "\x0b", "\x1b", "\x1f", "\x7f")


def _poison(value: Any, chars: tuple[str, ...], i: int = 0) -> Any:
    """Every string of a generated request with a NUL or another control character in it."""
    if isinstance(value, str):
        c = chars[i % len(chars)]
        return value[: len(value) // 2] + c + value[len(value) // 2 :]
    if isinstance(value, dict):
        return {k: _poison(v, chars, i + n) for n, (k, v) in enumerate(value.items())}
    if isinstance(value, list):
        return [_poison(v, chars, i + n) for n, v in enumerate(value)]
    return value


def _assert_json_400(label: str, response: Any) -> None:
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError((label, response.headers, response.content[:300])) from None
    assert body["code"] and body["message"], (label, body)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_nul_and_control_characters_in_every_string_never_give_a_server_error(case, deep):
    """Issue 13: schemathesis with NUL bytes in strings finds no 5xx. Each generated request
    gets a control character in every string of its query, path and body, its petition id a
    real one (lone surrogates, which schemathesis cannot encode, are sent by the next test); the answer is a 4xx in the
    documented JSON error shape (or a 2xx where a string carried none), and what was stored
    holds no such character."""
    user, _ = deep.next_user()
    deep.map_ids(case)
    poisoned = False
    for part in ("query", "path_parameters", "body"):
        value = getattr(case, part, None)
        if value:
            new = _poison(value, POISON)
            poisoned = poisoned or new != value
            setattr(case, part, new)
    response = case.call(headers={"Authorization": f"Bearer {deep.tokens[user.pk]}"})
    assert response.status_code < 500, (
        case.operation.label,
        response.status_code,
        response.text[:300],
    )
    deep.assert_stored_cleanly()
    if not poisoned:
        return
    # Refused at the boundary, before any view, token or parser sees it; a body that is never
    # read as text (sent with OPTIONS, or as text/plain, which the API does not parse) is
    # refused as the method or media type it came with.
    declared = (case.headers or {}).get("Content-Type", "application/json")
    read = case.method.upper() == case.operation.method.upper() and "json" in declared
    label = (case.operation.label, case.method, declared, response.status_code)
    if read or not case.body:
        assert response.status_code == 400, label
    assert 400 <= response.status_code < 500, label
    if response.status_code == 400:
        _assert_json_400(case.operation.label, response)


@pytest.mark.django_db
def test_invalid_utf8_and_encoded_surrogates_reach_no_operation(deep):
    """Raw bytes that are not UTF-8 in every operation's body and query, a surrogate
    percent-encoded in its query (``%ED%A0%80``) and a lone surrogate escaped in a JSON body
    (``"\\ud800"``, valid JSON that no UTF-8 text can hold): a JSON 400 from the boundary."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {deep.tokens[deep.users[0][0].pk]}")
    pid = deep.ids[0]
    seen = 0
    for op in schema.get_all_operations():
        operation = op.ok()
        path = operation.path.replace("{petition_id}", str(pid)).replace("{action}", "transfer")
        url = "/api/v1" + path if not path.startswith("/api/v1") else path
        for query in ("q=%FF%FE", "q=%ED%A0%80", "state=%C0%AF"):
            r = client.generic(operation.method.upper(), f"{url}?{query}")
            assert r.status_code == 400, (operation.label, query, r.status_code)
            _assert_json_400(operation.label, r)
        if operation.method.lower() == "post":
            for raw in (
                b'{"title": "\xff\xfe"}',
                b'{"reason": "\xed\xa0\x80"}',
                b'{"q": "\\ud800"}',
            ):
                r = client.generic("POST", url, raw, content_type="application/json")
                assert r.status_code == 400, (operation.label, raw, r.status_code)
                _assert_json_400(operation.label, r)
        seen += 1
    assert seen >= 10  # every operation of the schema, not an empty walk
    deep.assert_stored_cleanly()


# --- a walk through the procedure by the actions the API offers -----------------------------

#: A valid body of each action the walk may take (``data``), its texts drawn by hypothesis.
OPINION = {
    "outcome": "not_support",
    "request": "r",
    "facts": "f",
    "decision": "d",
    "legal_basis": "b",
}


def _action_data(action: str, world, text: str) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    return {
        "transfer": {"to_organ_id": world.housing.pk},
        "assign": {"to_organ_id": world.housing.pk, "report_due": "2025-10-30"},
        "acknowledge": {"category": "appeal", "route": 6},
        "start_handling": {"category": "appeal", "route": 6},
        "extend": {"days": 10},
        "issue_opinion": {**OPINION, "facts": text or "f"},
        "decide_review": {
            "outcome": "uphold",
            **{k: v for k, v in OPINION.items() if k != "outcome"},
        },
        "decide_re_review": {k: v for k, v in OPINION.items() if k != "outcome"},
        "record_delivery": {"method": "post", "signed": "true"},
        "request_review": {},
        "request_re_review": {},
        "reply": {"facts": text or "f"},
    }.get(action)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_a_walk_through_the_procedure_by_offered_actions_never_fails_or_leaks(data, world, deep):
    """Each example takes up to six steps: a user, one of the petitions, one of the actions the
    API offers that user on it, with a valid body whose reason (and one text) hypothesis
    draws, control characters and surrogates included. Valid steps go through (the walk
    reaches review and beyond); a poisoned one is a JSON 400; none is a 5xx; after each step
    the accused read the accusation as 404 and nothing stored holds a refused character."""
    from django.db import transaction

    with transaction.atomic():  # every example starts from the same states (hypothesis replays)
        _walk(data, world, deep)
        transaction.set_rollback(True)


def _walk(data, world, deep) -> None:  # type: ignore[no-untyped-def]
    texts = st.one_of(
        st.text(alphabet=st.characters(exclude_categories=()), max_size=12),  # surrogates too
        st.sampled_from(["依法处理", "经核查\x01属实", "\x1b[31m", "\ud800", "\x00"]),
    )
    for _ in range(6):
        user, sees = data.draw(st.sampled_from(deep.users))
        auth = {"HTTP_AUTHORIZATION": f"Bearer {deep.tokens[user.pk]}"}
        pid = data.draw(st.sampled_from(deep.ids))
        r = Client().get(f"/api/v1/petitions/{pid}", **auth)
        assert r.status_code in (200, 404), r.status_code
        if r.status_code == 404:
            assert pid == deep.accusation.pk and not sees or pid != deep.accusation.pk
            continue
        offered = [
            a for a in r.json()["available_actions"] if _action_data(a, world, "") is not None
        ]
        if not offered:
            continue
        action = data.draw(st.sampled_from(sorted(offered)))
        reason = data.draw(texts)
        body = {"reason": reason, "data": _action_data(action, world, data.draw(texts))}
        r = Client().post(
            f"/api/v1/petitions/{pid}/actions/{action}",
            json.dumps(body),
            content_type="application/json",
            **auth,
        )
        assert r.status_code < 500, (action, r.status_code, r.content[:300])
        bad = any(text_problem(t) for t in (reason, *map(str, body["data"].values())))
        if bad:
            assert r.status_code == 400, (action, body, r.status_code)
            _assert_json_400(action, r)
        for u, s in deep.users:
            if not s:
                a = Client().get(
                    f"/api/v1/petitions/{deep.accusation.pk}",
                    HTTP_AUTHORIZATION=f"Bearer {deep.tokens[u.pk]}",
                )
                assert a.status_code == 404, (u.username, a.status_code)
        deep.assert_stored_cleanly()


@pytest.mark.django_db
def test_the_walk_reaches_deep_states(world, deep):
    """The walk above is not vacuous: run with a fixed sequence, actions go through on the
    prepared petitions (the review organ decides the review; the bureau issues an opinion)."""
    from xinfang.petitions.models import Petition

    auth = lambda u: {"HTTP_AUTHORIZATION": f"Bearer {deep.tokens[u.pk]}"}  # noqa: E731
    steps = [
        (world.city_head, deep.petitions[4], "decide_review"),
        (world.head, deep.petitions[2], "start_handling"),
        (world.head, deep.petitions[2], "issue_opinion"),
        (world.po_head, deep.petitions[0], "transfer"),
    ]
    for user, p, action in steps:
        offered = (
            Client().get(f"/api/v1/petitions/{p.pk}", **auth(user)).json()["available_actions"]
        )
        assert action in offered, (action, offered)
        body = {"reason": "依法处理", "data": _action_data(action, world, "经核查属实")}
        r = Client().post(
            f"/api/v1/petitions/{p.pk}/actions/{action}",
            json.dumps(body),
            content_type="application/json",
            **auth(user),
        )
        assert r.status_code == 200, (action, r.content[:400])
    states = dict(Petition.objects.filter(pk__in=deep.ids).values_list("pk", "state"))
    assert states[deep.petitions[4].pk] == "review_decided"
    assert states[deep.petitions[2].pk] == "opinion_issued"
