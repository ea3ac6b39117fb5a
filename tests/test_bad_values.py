"""Values a column, a table or the law cannot take get a 400 naming the field, never a 500
(issue 13 §1.5–1.7, §1.9; issue 11): lengths and ranges against the model columns, unknown
category or route in an action's data, identity numbers in non-ASCII digits, a cursor no page
gave out, a date that is not a date.

Planted faults this module catches: disconnecting ``guard_columns`` and the registration's
``column_problems`` (a 201-character address is stored on SQLite, a 500 on PostgreSQL);
``petition_context`` converting before validating (500 on an unknown category); the old
``\\d`` identity pattern (a full-width number passes and hashes differently); a garbage cursor
falling back to page 1.
"""

from __future__ import annotations

import pytest

from xinfang.api.services import token_issue
from xinfang.petitions.models import Party, Petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

BODY = {
    "channel": "letter",
    "title": "小区噪声扰民",
    "content": "楼下餐馆每晚营业至凌晨，请求处理。",
    "region_code": "990102",
    "category": "appeal",
    "route": 6,
    "received_at": "2025-08-28T09:00:00+08:00",
    "parties": [{"role": "petitioner", "name": "张三", "phone": "13800000000"}],
}


def _post(client, user, path, body, **headers):  # type: ignore[no-untyped-def]
    return client.post(
        path,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}",
        **headers,
    )


def _get(client, user, path):  # type: ignore[no-untyped-def]
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")


@pytest.mark.parametrize(
    "over, field",
    [
        ({"parties": [{"role": "petitioner", "name": "张三", "address": "路" * 201}]}, "parties[0].address"),
        ({"parties": [{"role": "petitioner", "name": "张" * 101}]}, "parties[0].name"),
        ({"title": "题" * 201}, "title"),
        ({"is_collective": True, "head_count": 2**31}, "head_count"),
    ],
)
def test_a_value_longer_or_larger_than_its_column_is_a_400_naming_the_field(client, world, over, field):
    r = _post(client, world.clerk, "/api/v1/petitions", {**BODY, **over})
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"], r.json()
    assert Petition.objects.count() == 0


def test_no_save_anywhere_stores_a_value_its_column_cannot_hold(world, register):
    from xinfang.core.errors import ApplicationError

    party = Party.objects.get(petition=register().petition)
    party.address = "路" * 201
    with pytest.raises(ApplicationError) as e:
        party.save()
    assert "address" in e.value.fields
    party.refresh_from_db()
    assert party.address == ""


def test_the_portal_form_keeps_a_too_long_address_with_its_message(client, world):
    from django.core.cache import cache

    cache.clear()
    r = client.post(
        "/portal/submit/",
        {
            "region": "990102",
            "title": "路灯坏了",
            "content": "幸福路路灯损坏三个月。",
            "name": "李四",
            "address": "幸" * 201,
            "privacy_read": "on",
        },
    )
    assert r.status_code == 400 and "幸" * 201 in r.content.decode()
    assert Petition.objects.count() == 0


def test_huge_staff_ids_are_no_such_staff_not_a_500(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import petition_accused_set

    p = register(category="accusation", route=None).petition
    for ids in ([2**63], [2**63 - 1], ["abc"], [-1]):
        with pytest.raises(ApplicationError) as e:
            petition_accused_set(petition_id=p.pk, actor=world.clerk, staff_ids=ids)
        assert e.value.status == 400 and "accused_staff_ids" in e.value.fields, ids


def test_a_one_megabyte_action_reason_is_refused(client, world, register):
    p = register().petition
    r = _post(
        client,
        world.clerk,
        f"/api/v1/petitions/{p.pk}/actions/transfer",
        {"reason": "理" * 1_000_000, "data": {"to_organ_id": world.housing.pk}},
    )
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    assert p.events.count() == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"category": "bogus"}, "category"),
        ({"category": "appeal", "route": "x"}, "route"),
        ({"category": "appeal", "route": 99}, "route"),
        ({"category": "appeal", "route": 2**40}, "route"),
    ],
)
def test_an_unknown_category_or_route_in_action_data_is_a_400(client, world, register, data, field):
    p = register(category="", route=None).petition
    for action in ("transfer", "not_accept", "channel"):
        r = _post(client, world.po_head, f"/api/v1/petitions/{p.pk}/actions/{action}", {"data": data})
        assert r.status_code in (400, 409), (action, r.status_code, r.content)
        if r.status_code == 400:
            assert field in r.json().get("fields", {}), r.json()
    assert p.events.count() == 2


def test_an_identity_number_in_full_width_digits_is_stored_as_ascii_and_found_as_one_person(world, register):
    from xinfang.core.crypto import id_digest
    from xinfang.petitions.services import PartyInput

    ascii_id = "11010519491231002X"
    full = "".join(chr(ord(c) + 0xFEE0) for c in ascii_id)  # "１１０１…Ｘ"
    p = register(parties=[PartyInput(role="petitioner", name="王五", id_number=full)]).petition
    party = Party.objects.get(petition=p)
    assert party.id_number == ascii_id
    assert party.id_digest == id_digest(ascii_id) == id_digest(full)


@pytest.mark.parametrize("digits", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "১১০১০৫১৯৪৯১২৩১০০২X"])
def test_an_identity_number_in_other_scripts_digits_is_refused(world, register, digits):
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import PartyInput

    with pytest.raises(ApplicationError) as e:
        register(parties=[PartyInput(role="petitioner", name="王五", id_number=digits)])
    assert "parties[0].id_number" in e.value.fields


def test_a_phone_in_full_width_digits_is_the_same_phone(world, register):
    from xinfang.core.crypto import phone_digest
    from xinfang.petitions.services import PartyInput

    p = register(parties=[PartyInput(role="petitioner", name="王五", phone="１３８００００００００")]).petition
    party = Party.objects.get(petition=p)
    assert party.phone == "13800000000" and party.phone_digest == phone_digest("13800000000")


@pytest.mark.parametrize("cursor", ["garbage", "2025-01-01_x", "9" * 30, "-5", "１２"])
def test_a_cursor_no_page_gave_out_is_a_400_not_page_one(client, world, register, cursor):
    register()
    for path in ("/api/v1/petitions", "/api/v1/worklist", "/api/v1/search"):
        r = _get(client, world.clerk, f"{path}?cursor={cursor}")
        assert r.status_code == 400, (path, r.status_code, r.content)
        assert "cursor" in r.json()["fields"]


@pytest.mark.parametrize("value", ["0", "1", "99999999999", "-1"])
def test_a_number_is_not_a_date(client, world, value):
    for param in ("received_to", "received_from"):
        r = _get(client, world.clerk, f"/api/v1/petitions?{param}={value}")
        assert r.status_code in (400, 422), (param, value, r.status_code)


def test_huge_organ_ids_in_a_desk_registration_and_an_action_are_field_errors(client, world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.services import petition_act

    with pytest.raises(ApplicationError) as e:
        register(category="accusation", route=None, accused_organ_id=10**20)
    assert "accused_organ_id" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        register(repeat_of_id=10**20)
    assert "repeat_of_id" in e.value.fields
    p = register().petition
    with pytest.raises(ApplicationError) as e:
        petition_act(
            petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": "9" * 25}
        )
    assert e.value.status == 400 and "to_organ_id" in e.value.fields
