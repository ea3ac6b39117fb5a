"""POST a service request: an Open311 submission registered as an online petition through
the normal registration service (Arts. 17–22; channel ``online``), kept beside the petition
with the service it was filed under. The service_request_id is the petition's tracking code,
so the petitioner follows it on the portal with the query password given in the answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.directory.selectors import petition_office_for
from xinfang.exchange.models import Open311Key, Open311Request
from xinfang.exchange.open311.catalogue import service_get
from xinfang.petitions.models import Channel
from xinfang.petitions.services import PartyInput, PetitionInput, petition_register

TRUE = {"true", "1", "yes", "on"}
FALSE = {"", "false", "0", "no", "off"}


@dataclass(frozen=True)
class Submission:
    """What a client POSTs (the specification's arguments; ``attributes`` from
    ``attribute[code]``). email, device_id and account_id are not kept: no column of a
    petition holds them, and we keep no personal data we do not need (个人信息保护法 Art. 6)."""

    service_code: str
    description: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    attributes: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Submitted:
    request: Open311Request
    query_password: str


def _coordinate(value: str, name: str, limit: int, errs: list[str]) -> Decimal | None:
    if not value:
        return None
    try:
        d = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        errs.append(gettext("%(name)s 应为数字") % {"name": name})
        return None
    if not d.is_finite() or not -limit <= d <= limit:
        errs.append(gettext("%(name)s 超出范围") % {"name": name})
        return None
    return d.quantize(Decimal("0.000001"))


def _flag(attrs: Mapping[str, str], code: str, errs: list[str]) -> bool:
    value = (attrs.get(code) or "").strip().lower()
    if value in TRUE:
        return True
    if value not in FALSE:
        errs.append(gettext("attribute[%(code)s] 应为 true 或 false") % {"code": code})
    return False


def open311_request_submit(
    *, key: Open311Key, data: Submission, at: datetime | None = None
) -> Submitted:
    """Register ``data`` as an online petition at the petition office of its region.
    Raises ApplicationError (every problem in ``fields``) and registers nothing if any."""
    service = service_get(code=data.service_code.strip()) if data.service_code else None
    if not data.service_code:
        raise ApplicationError(
            gettext("缺少 service_code"), fields={"service_code": [gettext("必填")]}
        )
    if service is None:
        raise NotFound(
            gettext("没有这个 service_code：%(code)s") % {"code": data.service_code[:40]}
        )
    attrs = dict(data.attributes or {})
    errs: list[str] = []
    lat = _coordinate(data.lat, "lat", 90, errs)
    long = _coordinate(data.long, "long", 180, errs)
    if (lat is None) != (long is None) and not errs:
        errs.append(gettext("lat 和 long 应同时提交"))
    region_code = (attrs.get("region_code") or data.address_id or "").strip()
    if not region_code:
        errs.append(
            gettext("请以 attribute[region_code] 或 address_id 提交事项所在地的行政区划代码")
        )
    publish = _flag(attrs, "publish", errs)
    confidential = _flag(attrs, "confidential", errs)
    asked = (attrs.get("category") or "").strip()
    if service.category and asked and asked != service.category:
        errs.append(gettext("attribute[category] 与 service_code 的类别不一致"))
    category = service.category or asked
    address = " ".join(data.address_string.split())
    if len(address) > 200:
        errs.append(gettext("address_string 不超过 200 字"))
    media_url = data.media_url.strip()
    if media_url and (len(media_url) > 500 or not media_url.startswith(("http://", "https://"))):
        errs.append(gettext("media_url 应为不超过 500 字符的 http(s) 地址"))
    office = petition_office_for(region_code=region_code) if region_code else None
    if region_code and office is None:
        errs.append(gettext("该地区暂未开通网上信访，请通过来信、来访或电话提出"))
    if errs:
        raise ApplicationError(gettext("服务请求有误"), fields={"request": errs})
    assert office is not None
    name = (data.last_name.strip() + data.first_name.strip()).strip()
    description = data.description.strip()
    title = f"{service.name}：{' '.join(description.split())}"
    petition_data = PetitionInput(
        channel=Channel.ONLINE,
        title=title[:60],
        content=description,
        region_code=region_code,
        category=category,
        is_anonymous=not name,
        confidential=confidential,
        parties=[PartyInput(role="petitioner", name=name, phone=data.phone.strip())]
        if name or data.phone.strip()
        else [],
    )
    now = at or clock.now()
    with transaction.atomic():
        reg = petition_register(
            data=petition_data, organ=office, actor=None, submitted_online=True, at=now
        )
        request = Open311Request.objects.create(
            petition=reg.petition,
            service_code=service.code,
            key=key,
            publish=publish and not confidential,
            lat=lat,
            long=long,
            address_string=address,
            media_url=media_url,
            requested_at=now,
        )
        audit_record(
            kind="open311.request",
            actor=None,
            object_type="petition",
            object_id=reg.petition.pk,
            data={"key": key.pk, "service_code": service.code, "publish": request.publish},
            at=now,
        )
    return Submitted(request, reg.query_password)
