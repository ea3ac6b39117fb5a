"""The services an Open311 client may file under: the three categories of Arts. 29–31, and
the topics (事项分类) of this deployment. Every service has a definition (``metadata`` true):
the region of the matter, the submitter's consent to publication, a request for
confidentiality and, for a topic, an optional category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from xinfang.exchange.open311 import spec
from xinfang.insight.models import Topic
from xinfang.petitions.workflow import CATEGORY_LABELS, Category

TOPIC_PREFIX = "topic-"

_CATEGORY_HELP = {
    Category.SUGGESTION: "对国家机关及其工作的建议意见（第二十九条）",
    Category.APPEAL: "申诉、求决事项（第三十一条）",
    Category.ACCUSATION: "检举、控告（第三十条）；依法保密，从不在公开查询中出现",
}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: str
    category: str  # fixed by the service ("" for a topic: the submitter may choose)
    topic_id: int | None = None

    def as_open311(self) -> dict[str, Any]:
        return spec.ordered(
            spec.SERVICE_FIELDS,
            {
                "service_code": self.code,
                "service_name": self.name,
                "description": self.description,
                "metadata": True,
                "type": "realtime",  # the service_request_id is given in the POST answer
                "keywords": self.keywords,
                "group": self.group,
            },
        )


def _category_services() -> list[Service]:
    return [
        Service(
            code=c.value,
            name=gettext(CATEGORY_LABELS[c]),
            description=gettext(_CATEGORY_HELP[c]),
            group=gettext("信访事项类别"),
            keywords=c.value,
            category=c.value,
        )
        for c in (Category.SUGGESTION, Category.APPEAL, Category.ACCUSATION)
    ]


def service_list() -> list[Service]:
    out = _category_services()
    topics = Topic.objects.filter(is_active=True).select_related("parent__parent")
    out.extend(_topic_services(list(topics)))
    return out


def service_get(*, code: str) -> Service | None:
    if code.startswith(TOPIC_PREFIX):
        digits = code[len(TOPIC_PREFIX) :]
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            return None
        t = Topic.objects.filter(pk=int(digits), is_active=True).select_related("parent__parent")
        return next((s for s in _topic_services(list(t))), None)
    return next((s for s in _category_services() if s.code == code), None)


def _topic_services(topics: list[Topic]) -> list[Service]:
    out = []
    for t in topics:
        root = t
        while root.parent is not None:
            root = root.parent
        out.append(
            Service(
                code=f"{TOPIC_PREFIX}{t.pk}",
                name=t.full_label,
                description=gettext("事项分类：%(name)s") % {"name": t.full_label},
                group=root.name,
                keywords=t.name,
                category="",
                topic_id=t.pk,
            )
        )
    return out


def _yes_no(code: str, order: int, description: str) -> dict[str, Any]:
    return spec.ordered(
        spec.ATTRIBUTE_FIELDS,
        {
            "variable": True,
            "code": code,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": gettext("true 或 false，默认 false"),
            "order": order,
            "description": description,
            "values": [
                {"key": "true", "name": gettext("是")},
                {"key": "false", "name": gettext("否")},
            ],
        },
    )


def service_definition(service: Service) -> dict[str, Any]:
    attributes = [
        spec.ordered(
            spec.ATTRIBUTE_FIELDS,
            {
                "variable": True,
                "code": "region_code",
                "datatype": "string",
                "required": True,
                "datatype_description": gettext(
                    "6 位行政区划代码（GB/T 2260）；也可以用 address_id 提交"
                ),
                "order": 1,
                "description": gettext("事项所在地"),
                "values": [],
            },
        ),
        _yes_no(
            "publish",
            2,
            gettext(
                "同意在公开查询中显示诉求内容（不含姓名、电话；检举控告和申请保密的事项从不公开）"
            ),
        ),
        _yes_no("confidential", 3, gettext("申请对姓名和诉求内容保密")),
    ]
    if not service.category:
        attributes.append(
            spec.ordered(
                spec.ATTRIBUTE_FIELDS,
                {
                    "variable": True,
                    "code": "category",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": gettext("不选由登记人员确定"),
                    "order": 4,
                    "description": gettext("信访事项类别"),
                    "values": [
                        {"key": c.value, "name": gettext(CATEGORY_LABELS[c])}
                        for c in (Category.SUGGESTION, Category.APPEAL, Category.ACCUSATION)
                    ],
                },
            )
        )
    return spec.ordered(
        spec.DEFINITION_FIELDS, {"service_code": service.code, "attributes": attributes}
    )
