"""Property-based API testing: schemathesis drives /api/v1 from its own OpenAPI schema.

In-process through WSGI, authenticated as an organ head of the county petition office, a
bounded number of generated requests per operation (fast enough for every CI run). Every
answer must be a non-5xx response that matches the schema and the declared status codes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

MAX_EXAMPLES = 20


@pytest.fixture
def token(world, register):
    from xinfang.api.services import token_issue

    register()  # something to list, read and act on
    # The raw WSGI handler closes "old" connections around each request, which would close the
    # test's transaction on PostgreSQL; Django's own test client does the same as here.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield token_issue(user=world.po_head, name="schemathesis")
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


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
def test_the_api_answers_every_generated_request_within_its_schema(case, token):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
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


POISON = ("\x00", "\x0b", "\x1f", "\x7f")


def _poison(value, i=0):  # type: ignore[no-untyped-def]
    """Every string of a generated request with a NUL or another control character in it."""
    if isinstance(value, str):
        c = POISON[i % len(POISON)]
        return value[: len(value) // 2] + c + value[len(value) // 2 :]
    if isinstance(value, dict):
        return {k: _poison(v, i + n) for n, (k, v) in enumerate(value.items())}
    if isinstance(value, list):
        return [_poison(v, i + n) for n, v in enumerate(value)]
    return value


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
def test_nul_and_control_characters_in_every_string_never_give_a_server_error(case, token):
    """Issue 13: schemathesis with NUL bytes in strings finds no 5xx. Each generated request
    gets a control character in every string of its query, path and body; the answer is a
    4xx in the documented JSON error shape (or a 2xx where a string carried none)."""
    poisoned = False
    for part in ("query", "path_parameters", "body"):
        value = getattr(case, part, None)
        if value:
            new = _poison(value)
            poisoned = poisoned or new != value
            setattr(case, part, new)
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.operation.label, response.status_code, response.text[:300])
    if poisoned and response.status_code == 400:
        try:
            body = json.loads(response.content)
        except ValueError:
            raise AssertionError((case.operation.label, response.headers, response.content[:300])) from None
        assert body["code"] and body["message"], (case.operation.label, body)
