"""The bearer token's lookup, compiled once per connection (issue 14): it must refuse exactly
what the ORM's read refused, at once after a change, and hand over the same user."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.api.models import ApiToken
from xinfang.api.services import token_issue, token_revoke, token_user
from xinfang.core.prepared import rows_by_args
from xinfang.directory.models import Membership, Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _me(client, key: str) -> int:
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_a_token_works_until_revoked_and_not_one_request_after(client, world):
    key = token_issue(user=world.clerk)
    assert _me(client, key) == 200 and _me(client, key) == 200  # compiled, then reused
    assert token_revoke(key=key)
    assert _me(client, key) == 401


def test_the_token_of_a_deactivated_user_is_refused_at_once(client, world):
    key = token_issue(user=world.clerk)
    assert _me(client, key) == 200
    User.objects.filter(pk=world.clerk.pk).update(is_active=False)
    assert _me(client, key) == 401


def test_a_user_whose_roles_lost_the_api_is_refused_at_once(client, world):
    key = token_issue(user=world.clerk)
    assert _me(client, key) == 200
    Membership.objects.filter(user=world.clerk).update(role=Role.ADMIN)  # no Cap.API
    assert _me(client, key) == 401


def test_an_unknown_or_altered_token_is_refused(client, world):
    key = token_issue(user=world.clerk)
    assert _me(client, key) == 200
    assert _me(client, key[:-1] + ("A" if key[-1] != "A" else "B")) == 401
    assert _me(client, "xf_") == 401


def test_the_user_is_the_orms_with_the_organ_read_in_the_same_query(world):
    key = token_issue(user=world.clerk)
    token_user(key)  # compiled
    with CaptureQueriesContext(connection) as q:
        user = token_user(key)
        organ = user.organ  # no query: read with the token
        roles = user.organ and user.organ.name
    assert len(q.captured_queries) == 2, [x["sql"] for x in q.captured_queries]  # token, roles
    orm = User.objects.select_related("organ").get(pk=world.clerk.pk)
    assert user == orm and user._state.adding is False and roles
    for f in User._meta.concrete_fields:
        assert getattr(user, f.attname) == getattr(orm, f.attname), f.name
    assert organ == orm.organ and organ.path == orm.organ.path and organ.level == orm.organ.level


def test_a_user_without_an_organ_has_none_and_cannot_register(client, world):
    from xinfang.directory.services import staff_create

    loose = staff_create(username="loose", password=None, organ=None, roles=[Role.REGISTRAR])
    key = token_issue(user=loose)
    user = token_user(key)
    assert user is not None and user.organ is None
    r = client.post(
        "/api/v1/petitions",
        {"channel": "letter", "title": "t", "content": "c", "region_code": "990102"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 403


def test_the_compiled_read_gives_the_orms_rows_and_falls_back_when_it_cannot_compile(world):
    key = token_issue(user=world.clerk, name="名字")
    h = ApiToken.objects.get(name="名字").key_hash

    def build(kh):  # type: ignore[no-untyped-def]
        return ApiToken.objects.filter(key_hash=kh, revoked=False).values_list(
            "pk", "name", "created_at", "user__username", "user__organ__name"
        )

    for _twice in range(2):
        assert rows_by_args("test.token", build, h) == list(build(h))
        assert rows_by_args("test.token", build, "nothing") == []

    def rewritten(name):  # type: ignore[no-untyped-def]
        return ApiToken.objects.filter(name__contains=name).values_list("pk")  # "%名%"

    for _twice in range(2):
        assert rows_by_args("test.contains", rewritten, "名") == list(rewritten("名"))
    assert key
