"""Open311 GeoReport v2 against the published specification (https://wiki.open311.org/GeoReport_v2).

The field lists below are written down here from the specification's text, independently of
``exchange/open311/spec.py``, so a field the code drops, renames or reorders fails a test."""

from __future__ import annotations

import itertools
import json
from xml.etree import ElementTree as ET

import pytest

from xinfang.exchange.models import Open311Request
from xinfang.exchange.open311.keys import open311_key_issue
from xinfang.petitions.models import Petition

# --- From the specification ------------------------------------------------------------------
# Service discovery: changeset, contact, key_service, endpoints[specification, url, changeset,
# type, formats].
SPEC_DISCOVERY = ["changeset", "contact", "key_service", "endpoints"]
SPEC_ENDPOINT = ["specification", "url", "changeset", "type", "formats"]
# GET services: service_code, service_name, description, metadata, type, keywords, group.
SPEC_SERVICE = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
SPEC_SERVICE_TYPES = {"realtime", "batch", "blackbox"}
# GET service definition: service_code, attributes[variable, code, datatype, required,
# datatype_description, order, description, values[key, name]].
SPEC_DEFINITION = ["service_code", "attributes"]
SPEC_ATTRIBUTE = [
    "variable", "code", "datatype", "required", "datatype_description", "order", "description", "values",
]  # fmt: skip
SPEC_DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
SPEC_VALUE = ["key", "name"]
# POST service request (response): service_request_id, token, service_notice, account_id.
SPEC_POST_RESPONSE = ["service_request_id", "token", "service_notice", "account_id"]
# GET service requests / GET service request.
SPEC_REQUEST = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
SPEC_STATUS = {"open", "closed"}
# Errors: a list of {code, description}; XML <errors><error><code/><description/></error></errors>.
SPEC_ERROR = ["code", "description"]
# ----------------------------------------------------------------------------------------------

BASE = "/open311/v2"


@pytest.fixture
def key(world):
    return open311_key_issue(name="随手拍", actor=None)[1]


_devices = itertools.count(1)


def post(client, key, **fields):
    """POST a service request. Each call sends another ``device_id`` (a field not kept), so two
    calls are two requests: the same fields again would be a client's retry (deduplicated)."""
    fields.setdefault("device_id", f"test-device-{next(_devices)}")
    data = {"api_key": key, "service_code": "appeal", "description": "幸福小区门前路灯损坏已两个月，夜间出行不便，请求尽快修复。",
            "address_id": "990102", "address_string": "青山县幸福小区南门", "lat": "30.5", "long": "114.3",
            "first_name": "三", "last_name": "张", "phone": "13800000000", "attribute[publish]": "true"}  # fmt: skip
    data.update(fields)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def errors_of(r):
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert isinstance(body, list) and body
    for e in body:
        assert list(e) == SPEC_ERROR and e["code"] == r.status_code and e["description"]
    return [e["description"] for e in body]


def test_discovery_has_the_fields_of_the_specification_in_json_and_xml(client, world):
    r = client.get(f"{BASE}/discovery.json")
    d = r.json()
    assert list(d) == SPEC_DISCOVERY
    assert list(d["endpoints"][0]) == SPEC_ENDPOINT
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(d["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    x = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert x.tag == "discovery" and [c.tag for c in x] == SPEC_DISCOVERY
    endpoint = x.find("endpoints/endpoint")
    assert [c.tag for c in endpoint] == SPEC_ENDPOINT
    assert {f.text for f in endpoint.findall("formats/format")} == {"text/xml", "application/json"}


def test_the_services_are_our_categories_and_topics_with_the_fields_of_the_specification(
    client, world
):
    services = client.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in services]
    assert codes[:3] == ["suggestion", "appeal", "accusation"]
    assert any(c.startswith("topic-") for c in codes)  # the seeded topics (insight.0002)
    for s in services:
        assert list(s) == SPEC_SERVICE
        assert s["type"] in SPEC_SERVICE_TYPES and s["metadata"] is True
    x = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert x.tag == "services"
    assert [c.tag for c in x[0]] == SPEC_SERVICE and len(x) == len(services)


@pytest.mark.parametrize("code", ["appeal", "topic"])
def test_every_service_definition_has_the_fields_of_the_specification(client, world, code):
    if code == "topic":
        code = client.get(f"{BASE}/services.json").json()[3]["service_code"]
    d = client.get(f"{BASE}/services/{code}.json").json()
    assert list(d) == SPEC_DEFINITION and d["service_code"] == code
    for a in d["attributes"]:
        assert list(a) == SPEC_ATTRIBUTE and a["datatype"] in SPEC_DATATYPES
        for v in a["values"]:
            assert list(v) == SPEC_VALUE
    required = [a["code"] for a in d["attributes"] if a["required"]]
    assert required == ["region_code"]
    x = ET.fromstring(client.get(f"{BASE}/services/{code}.xml").content)
    assert x.tag == "service_definition"
    assert [c.tag for c in x.find("attributes/attribute")] == SPEC_ATTRIBUTE


def test_a_post_registers_an_online_petition_keeping_its_service_request_id(client, world, key):
    r = post(client, key)
    assert r.status_code == 201, r.content
    [answer] = r.json()
    assert list(answer)[:4] == SPEC_POST_RESPONSE and set(answer) - set(SPEC_POST_RESPONSE) == {
        "query_password"
    }
    p = Petition.objects.get(tracking_code=answer["service_request_id"])
    assert p.channel == "online" and p.state == "received"  # the clerk's review follows
    assert p.registering_organ == world.county_po and p.category == "appeal"
    assert p.parties.get().name == "张三"
    req = Open311Request.objects.get(petition=p)
    assert req.service_code == "appeal" and req.publish and str(req.lat) == "30.500000"
    # the same id comes back on GET, and the portal's lookup takes the code and password
    one = client.get(f"{BASE}/requests/{p.tracking_code}.json").json()
    assert one[0]["service_request_id"] == p.tracking_code
    track = client.post(
        "/portal/track/", {"code": p.tracking_code, "password": answer["query_password"]}
    )
    assert track.status_code == 302 and p.tracking_code in track["Location"]
    assert client.get(track["Location"]).status_code == 200


def test_get_requests_has_the_fields_of_the_specification_and_maps_states_to_open_or_closed(
    client, world, key
):
    code = post(client, key).json()[0]["service_request_id"]
    rows = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [code]
    row = rows[0]
    assert list(row) == SPEC_REQUEST
    assert row["status"] in SPEC_STATUS and row["status"] == "open"
    assert row["status_notes"] == "已接收"
    assert row["agency_responsible"] == "青山县信访局" and row["address_id"] == "990102"
    assert row["requested_datetime"].endswith("+08:00")  # W3C date-time with its offset
    x = ET.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert x.tag == "service_requests" and [c.tag for c in x[0]] == SPEC_REQUEST
    # closed once the matter is no longer with an organ for action
    from xinfang.petitions.services import petition_act

    p = Petition.objects.get(tracking_code=code)
    petition_act(petition_id=p.pk, action="register", actor=world.clerk)
    petition_act(petition_id=p.pk, action="not_accept", actor=world.clerk,
                 reason="同一事项已由上级机关受理。", data={"ground": "other"})  # fmt: skip
    row = client.get(f"{BASE}/requests/{code}.json").json()[0]
    assert row["status"] == "closed" and row["status_notes"] == "不予受理"
    # the extension: dated notes of each public step, never a name
    ext = client.get(f"{BASE}/requests/{code}.json?extensions=true").json()[0]
    assert list(ext) == SPEC_REQUEST + ["extended_attributes"]
    assert [n["summary"] for n in ext["extended_attributes"]["notes"]] == [
        "收到",
        "登记",
        "不予受理",
    ]
    assert "张三" not in json.dumps(ext, ensure_ascii=False)
    assert "13800000000" not in json.dumps(ext)
