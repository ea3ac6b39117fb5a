"""Exchange with the systems around xinfang (issue 20): civic-reporting apps through Open311
GeoReport v2, and 12345 hotlines through work-order files.

Each record keeps the other system's identifier beside the petition it became; the petition
itself is registered by ``petitions.services`` like any other (Arts. 17–22)."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import Organ, User
from xinfang.petitions.models import Petition


class Open311Key(models.Model):
    """An API key of one client application. Only a SHA-256 of the key is stored; the key is
    shown once, when an administrator issues it. Issue and revocation are audit records."""

    name = models.CharField("应用名称", max_length=100)
    prefix = models.CharField("密钥前缀", max_length=12, editable=False)  # to recognise it
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    contact = models.CharField("联系人", max_length=200, blank=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("签发时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 应用密钥"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Request(models.Model):
    """A service request received through Open311: the petition it registered, the service
    it was filed under and what the client sent about the place. ``publish`` is the
    submitter's consent to show the request in public GET requests ([ZJ Art. 26(4)]: nothing
    is published without consent); confidential and accusation petitions never are."""

    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="open311_request"
    )
    service_code = models.CharField(max_length=40)
    key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="requests")
    publish = models.BooleanField(default=False)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=200, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    requested_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "Open311 服务请求"
        indexes = [
            models.Index(
                fields=["requested_at", "id"],
                name="open311_public",
                condition=models.Q(publish=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.petition_id}"


class HotlineOrder(models.Model):
    """A 12345 hotline work order handed over to the petition channel: its hotline id, kept
    beside the petition it became, so that the same order imported twice is one petition and
    the answer goes back under the hotline's own id."""

    hotline_id = models.CharField("热线工单号", max_length=64, unique=True)
    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="hotline_order"
    )
    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField("来电时间")
    imported_at = models.DateTimeField("导入时间")
    batch = models.CharField("导入批次", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "12345 热线工单"
        indexes = [models.Index(fields=["imported_at", "id"], name="hotline_imported")]

    def __str__(self) -> str:
        return self.hotline_id
