"""GeoReport v2 as data: the fields of each response, in the specification's order, and the
writers of its two formats. PURE: imports no Django.

The field lists follow https://wiki.open311.org/GeoReport_v2 (discovery, GET services, GET
service definition, POST service request, GET service requests, errors). Extensions we add are
named in ``REQUEST_EXTENSION_FIELDS`` and only appear when a client asks (``extensions=true``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}

DISCOVERY_FIELDS = ("changeset", "contact", "key_service", "endpoints")
ENDPOINT_FIELDS = ("specification", "url", "changeset", "type", "formats")
SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
DEFINITION_FIELDS = ("service_code", "attributes")
ATTRIBUTE_FIELDS = (
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
)
VALUE_FIELDS = ("key", "name")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
SERVICE_TYPES = ("realtime", "batch", "blackbox")
POST_RESPONSE_FIELDS = ("service_request_id", "token", "service_notice", "account_id")
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
REQUEST_EXTENSION_FIELDS = ("extended_attributes",)
STATUSES = ("open", "closed")
ERROR_FIELDS = ("code", "description")

#: The XML element names of each list (root, item), as in the specification's examples.
XML_LISTS = {
    "services": ("services", "service"),
    "service_requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "attributes": ("attributes", "attribute"),
    "values": ("values", "value"),
    "endpoints": ("endpoints", "endpoint"),
    "formats": ("formats", "format"),
    "keywords": ("keywords", "keyword"),
    "notes": ("notes", "note"),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        node = ET.SubElement(parent, name)
        for k, v in value.items():
            _xml_value(node, k, v)
    elif isinstance(value, list | tuple):
        root, item = XML_LISTS.get(name, (name, "item"))
        node = ET.SubElement(parent, root)
        for v in value:
            _xml_value(node, item, v)
    else:
        ET.SubElement(parent, name).text = _text(value)


def to_xml(kind: str, payload: Any) -> bytes:
    """``kind`` names the root: a list kind of ``XML_LISTS`` or a single element
    (``discovery``, ``service_definition``)."""
    if kind in XML_LISTS:
        root_name, item = XML_LISTS[kind]
        root = ET.Element(root_name)
        for entry in payload:
            _xml_value(root, item, entry)
    else:
        root = ET.Element(kind)
        for k, v in payload.items():
            _xml_value(root, k, v)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def render(fmt: str, kind: str, payload: Any) -> tuple[bytes, str]:
    """The body and its content type."""
    if fmt == "xml":
        return to_xml(kind, payload), "text/xml; charset=utf-8"
    return to_json(payload), "application/json; charset=utf-8"


def errors(status: int, descriptions: Sequence[str]) -> list[dict[str, Any]]:
    """The specification's error list: one entry per problem, each with the HTTP code."""
    return [{"code": status, "description": d} for d in descriptions] or [
        {"code": status, "description": ""}
    ]


def ordered(fields: Sequence[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` in the specification's order, every field present (``None`` if unknown)."""
    return {f: values.get(f) for f in fields}
