"""Regions (GB/T 2260), organs (机关、单位) as a tree, and staff with their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


class Level(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"


class Region(models.Model):
    """An administrative division. Codes follow GB/T 2260 (6 digits); townships use 9 digits."""

    code = models.CharField(
        "区划代码",
        max_length=12,
        primary_key=True,
        validators=[RegexValidator(r"^\d{6}(\d{3})?$", "区划代码应为 6 位（乡级 9 位）数字")],
    )
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OrganKind(models.TextChoices):
    PETITION_OFFICE = "petition_office", "信访部门"
    COMPETENT = "competent", "有权处理的机关、单位"
    POLITICAL_LEGAL = "political_legal", "政法机关"
    DISCIPLINE = "discipline", "纪检监察机关"


class Organ(models.Model):
    """A 机关 or 单位. ``parent`` is the organ one level above: review goes there (Art. 35)."""

    name = models.CharField("名称", max_length=200)
    abbreviation = models.CharField(
        "机关代字",
        max_length=10,
        blank=True,
        help_text="文号中的发文机关代字，如“青信”；空则取名称前两字",
    )
    kind = models.CharField("类型", max_length=20, choices=OrganKind.choices)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="organs"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上一级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/5/23/" for subtree queries; maintained by directory.services.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField("启用", default=True)
    # An organ another installation serves (federation.RemoteOrgan, issue 20): a transfer to it
    # hands the duty over with the petition, so no deadline of ours starts for it (its own
    # clock runs over there from its receipt, Arts. 22 para 1 and 23 para 3). Set only by
    # federation.services.remote_organ_set.
    external = models.BooleanField("由其他系统办理", default=False, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "机关单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_petition_office(self) -> bool:
        return self.kind == OrganKind.PETITION_OFFICE


class Role(models.TextChoices):
    REGISTRAR = "registrar", "登记员"
    HANDLER = "handler", "承办人"
    ORGAN_HEAD = "organ_head", "机关负责人"
    SUPERVISOR = "supervisor", "督查督办"
    LEADER = "leader", "领导"
    ANALYST = "analyst", "分析员"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    """A staff user. Petitioners have no accounts: they use a tracking code and password."""

    organ = models.ForeignKey(
        Organ,
        verbose_name="所属机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.person_name

    def full_name(self) -> str:
        """The name from the two name fields: family name first for a Chinese name (张三), the
        Western order otherwise; "" when neither is filled."""
        last, first = self.last_name.strip(), self.first_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in last + first):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def person_name(self) -> str:
        """The one name shown where a person's name belongs (lists, dropdowns, records): the
        name as written (姓名), else the two name fields, the login name only as a last resort."""
        return self.display_name.strip() or self.full_name() or self.username

    @property
    def print_name(self) -> str:
        """The name printed for the public and on paper (接访领导): never the login name
        (walker #8); "（未填姓名）" when the user has no name."""
        from django.utils.translation import gettext

        return self.display_name.strip() or self.full_name() or gettext("（未填姓名）")


class Membership(models.Model):
    """A role a staff user holds in their organ."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="membership_user_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class GrantRequest(models.Model):
    """A change only two administrators together may make (issue 11, ADR 0013): a grant of a
    role on the two-person list (the admin role by default) or the reset of another
    administrator's password. The first administrator's request waits here; a different
    administrator approves or rejects it (``xinfang.directory.approvals``)."""

    class Kind(models.TextChoices):
        ROLE = "role", "授予角色"
        PASSWORD = "password", "重置管理员密码"

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    kind = models.CharField("事项", max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="grant_requests", verbose_name="工作人员"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    # the new password's hash (never the password) until the request is decided, then cleared
    password_hash = models.CharField(max_length=256, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批准人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "双人批准申请"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "role"],
                condition=models.Q(status="pending"),
                name="grant_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user} · {self.get_status_display()}"
