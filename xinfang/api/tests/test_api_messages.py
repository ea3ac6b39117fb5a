"""The API's refusals say what is wrong, at the field, in the request's language (fixui items 2-4).

Reproduced before the fix: a 2^63 in a JSON body got the NUL-byte message ("characters that
cannot be processed"); pydantic's own English ("Input should be a valid integer") on a Chinese
request; ``received_from=9999-12-31`` called a format error; ``/petitions?state=bogus`` an
empty list where ``/worklist`` answers 400.
"""

from __future__ import annotations

import json

import pytest

from xinfang.api.services import token_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _get(client, user, url, lang="zh-hans"):
    return client.get(
        url,
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}",
    )


@pytest.mark.parametrize(
    ("lang", "message", "field"),
    [
        ("zh-hans", "数值超出允许范围", "整数超出允许范围"),
        ("en", "A number is out of the allowed range", "Integer out of range"),
    ],
)
def test_an_integer_of_2_63_is_out_of_range_at_its_field(client, world, register, lang, message,
                                                          field):  # fmt: skip
    p = register().petition
    r = client.post(
        f"/api/v1/petitions/{p.pk}/act",
        json.dumps({"action": "transfer", "data": {"to_organ_id": 2**63}}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_AUTHORIZATION=f"Bearer {token_issue(user=world.clerk)}",
    )
    body = r.json()
    assert r.status_code == 400 and body["code"] == "out_of_range", body
    assert message in body["message"] and "NUL" not in body["message"]
    assert body["fields"] == {"data.to_organ_id": [body["fields"]["data.to_organ_id"][0]]}
    assert field in body["fields"]["data.to_organ_id"][0]


def test_a_nul_byte_beside_a_huge_integer_still_gets_the_character_message(client, world):
    r = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "a\x00", "password": "x", "n": 2**64}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = r.json()
    assert r.status_code == 400 and body["code"] == "invalid_input"
    assert "cannot be processed" in body["message"]
    assert body["fields"]["n"] == ["Integer out of range (-2^63 to 2^63-1)"]


@pytest.mark.parametrize(
    ("url", "field", "zh", "en"),
    [
        ("/api/v1/petitions?limit=abc", "limit", "应为整数", "Must be a whole number"),
        ("/api/v1/petitions?limit=500", "limit", "不能大于 200", "Must not be more than 200"),
        ("/api/v1/petitions?limit=0", "limit", "不能小于 1", "Must not be less than 1"),
        (
            "/api/v1/petitions?received_from=2025-13-01",
            "received_from",
            "日期格式应为 YYYY-MM-DD",
            "A date reads YYYY-MM-DD",
        ),
        (
            "/api/v1/petitions?received_to=9999-12-31",
            "received_to",
            "日期超出范围：须在 1900-01-01 至 2999-12-31 之间",
            "Date out of range: it must lie between 1900-01-01 and 2999-12-31",
        ),
        (
            "/api/v1/analytics/summary?received_from=0001-01-01",
            "received_from",
            "日期超出范围",
            "Date out of range",
        ),
    ],
)
def test_validation_messages_follow_the_requests_language(client, world, url, field, zh, en):
    for lang, expected in (("zh-hans", zh), ("en", en)):
        r = _get(client, world.clerk, url, lang)
        body = r.json()
        assert r.status_code == 422 and list(body["fields"]) == [field], body
        assert expected in body["fields"][field][0], (lang, body)
        assert "Input should" not in r.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=bogus", "state"),
        ("category=bogus", "category"),
        ("channel=carrier-pigeon", "channel"),
        ("region_code=abc", "region_code"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/petitions", "/api/v1/export/petitions"])
def test_an_unknown_filter_value_is_a_400_at_the_filter_as_on_the_worklist(
    client, world, register, query, field, path
):
    register()
    r = _get(client, world.clerk, f"{path}?{query}", "en")
    body = r.json()
    assert r.status_code == 400 and body["code"] == "bad_param", body
    assert list(body["fields"]) == [field] and body["fields"][field][0]
    ok = _get(client, world.clerk, "/api/v1/petitions?state=registered&category=appeal")
    assert ok.status_code == 200 and len(ok.json()["items"]) == 1


def test_a_reversed_range_names_the_parameter_as_it_is_called(client, world):
    for url in (
        "/api/v1/petitions?received_from=2025-09-01&received_to=2025-08-01",
        "/api/v1/analytics/summary?received_from=2025-09-01&received_to=2025-08-01",
        "/api/v1/search?q=x&received_from=2025-09-01&received_to=2025-08-01",
    ):
        body = _get(client, world.analyst, url, "en").json()
        assert list(body.get("fields", {})) == ["received_from"], (url, body)
        assert "from" not in body["message"].replace("received_from", ""), (url, body)
