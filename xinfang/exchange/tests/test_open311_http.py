"""A round trip through plain HTTP calls, as the specification's examples make them: a live
server, urllib, form-encoded POST, the JSON and XML answers parsed as a client would."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.status, r.headers.get("Content-Type"), r.read()


def _post(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_client_discovers_lists_defines_posts_and_follows_a_request_over_http(live_server, world):
    from xinfang.exchange.open311.keys import open311_key_issue

    key = open311_key_issue(name="随手拍", actor=None)[1]
    # 1. discovery names the endpoint
    status, ctype, body = _get(f"{live_server.url}/open311/discovery.json")
    endpoint = json.loads(body)["endpoints"][0]
    assert status == 200 and ctype.startswith("application/json")
    base = endpoint["url"]
    assert base.endswith("/open311/v2/")
    # 2. GET services.xml (XML is the required format)
    status, ctype, body = _get(base + "services.xml")
    assert status == 200 and ctype.startswith("text/xml") and body.startswith(b"<?xml")
    services = ET.fromstring(body)
    code = services[1].findtext("service_code")
    assert code == "appeal"
    # 3. GET services/appeal.xml: the required attribute
    defn = ET.fromstring(_get(base + f"services/{code}.xml")[2])
    assert [
        a.findtext("code") for a in defn.iter("attribute") if a.findtext("required") == "true"
    ] == ["region_code"]
    # 4. POST requests.xml, as the specification's example (form-encoded arguments)
    status, body = _post(
        base + "requests.xml",
        {
            "api_key": key,
            "service_code": code,
            "lat": "30.5",
            "long": "114.3",
            "address_string": "青山县幸福小区南门",
            "email": "someone@example.org",
            "first_name": "三",
            "last_name": "张",
            "phone": "13800000000",
            "description": "幸福小区门前路灯损坏已两个月，夜间出行不便。",
            "attribute[region_code]": "990102",
            "attribute[publish]": "true",
        },
    )
    assert status == 201, body
    answer = ET.fromstring(body)
    assert answer.tag == "service_requests"
    srid = answer.findtext("request/service_request_id")
    assert srid and answer.findtext("request/service_notice")
    # 5. GET requests/<id>.json and requests.json?service_request_id=
    one = json.loads(_get(base + f"requests/{srid}.json")[2])[0]
    assert one["service_request_id"] == srid and one["status"] == "open"
    listed = json.loads(_get(base + f"requests.json?service_request_id={srid}")[2])
    assert [r["service_request_id"] for r in listed] == [srid]
    assert "someone@example.org" not in json.dumps(listed) and "13800000000" not in json.dumps(
        listed
    )
    # 6. a bad POST is the specification's error list, never a 500
    status, body = _post(base + "requests.json", {"api_key": key, "service_code": code})
    assert status == 400
    assert all(set(e) == {"code", "description"} and e["code"] == 400 for e in json.loads(body))
