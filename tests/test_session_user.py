"""The user of a staff session is read with their organ in one query
(``directory.throttle.ThrottledModelBackend.get_user``, pagespeed): a deactivated account's
session opens nothing more.

Planted fault (seen failing, then restored): ``get_user`` returning the user without
``user_can_authenticate`` - the deactivated handler still opened the petition page."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_session_user_comes_with_their_organ(client, world, django_assert_num_queries):
    from django.contrib.auth import get_user

    client.force_login(world.handler)
    request = type("R", (), {"session": client.session})()
    with django_assert_num_queries(2):  # the session, then the user joined to the organ
        user = get_user(request)
        assert user.organ.name == world.handler.organ.name


def test_a_deactivated_account_is_logged_out_on_its_next_request(client, world, register):
    p = register().petition
    client.force_login(world.clerk)
    assert client.get(f"/petitions/{p.pk}/").status_code == 200
    world.clerk.is_active = False
    world.clerk.save(update_fields=["is_active"])
    r = client.get(f"/petitions/{p.pk}/")
    assert r.status_code == 302 and "/login" in r["Location"]
