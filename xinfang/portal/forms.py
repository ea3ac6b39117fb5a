"""Portal forms: they parse and check the shape of input; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinfang.core.once import once_field
from xinfang.feedback.models import Rating
from xinfang.petitions.workflow import CATEGORY_LABELS

ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.doc,.docx,.txt"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); sizes checked before reading."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        limit = settings.XINFANG_ATTACHMENTS_PER_PETITION
        if len(files) > limit:
            raise forms.ValidationError(_("附件不超过 %(n)s 个") % {"n": limit})
        max_bytes = settings.XINFANG_ATTACHMENT_MAX_BYTES
        too_big = [f.name for f in files if f.size > max_bytes]
        if too_big:
            raise forms.ValidationError(
                _("“%(name)s”超过 %(mb)s MB") % {"name": too_big[0], "mb": max_bytes // (1024 * 1024)}
            )
        return files


class PortalForm(forms.Form):
    """Labels without Django's trailing colon: the layout sets them apart already."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def category_choices() -> list[tuple[str, str]]:
    return [("", _("不确定，由工作人员确定"))] + [
        (c.value, _(label)) for c, label in CATEGORY_LABELS.items()
    ]


class SubmitForm(PortalForm):
    region = forms.CharField(widget=forms.HiddenInput)
    once = once_field()  # the submission's one-time token: a refresh never registers twice
    category = forms.ChoiceField(label=_("信访事项类别"), required=False, choices=())
    accused_organ = forms.TypedChoiceField(
        label=_("被检举控告的机关、单位（仅检举控告类，可不填）"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
    )
    title = forms.CharField(
        label=_("标题"), max_length=200, help_text=_("用一句话概括您反映的问题，不超过 200 字。")
    )
    content = forms.CharField(
        label=_("诉求、事实和理由"),
        max_length=50_000,
        help_text=_("写明您的请求，以及所依据的事实和理由（第十九条）。请如实反映，不得捏造、歪曲事实。"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label=_("附件"))
    is_anonymous = forms.BooleanField(
        label=_("匿名提出"),
        required=False,
        help_text=_("匿名提出的，不登记您的姓名和联系方式，也就无法收到书面告知（第二十三条），但仍会登记办理，您可以凭查询码查询。"),
    )
    name = forms.CharField(label=_("姓名或单位名称"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(label=_("居民身份证号码（可不填）"), max_length=30, required=False)
    address = forms.CharField(label=_("通信地址"), max_length=200, required=False)
    confidential = forms.BooleanField(
        label=_("申请对我的姓名和检举控告内容保密"),
        required=False,
        help_text=_("检举控告材料及有关信息不会透露或者转给被检举控告的人员和单位（第三十条）。"),
    )
    privacy_read = forms.BooleanField(label=_("我已阅读上面的个人信息处理告知"))

    def __init__(self, *args, organs=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["accused_organ"].choices = [("", _("不填写"))] + [
            (o.pk, o.name) for o in organs
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        limits = {
            "n": settings.XINFANG_ATTACHMENTS_PER_PETITION,
            "mb": settings.XINFANG_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }
        total = getattr(settings, "XINFANG_PUBLIC_MAX_BYTES", None)  # the whole submission
        if total:
            self.fields["attachments"].help_text = _(
                "可选。最多 %(n)s 个文件，每个不超过 %(mb)s MB，合计不超过 %(total)s MB；"
                "支持 PDF、JPEG、PNG、TIFF、Word、文本。"
            ) % {**limits, "total": total // (1024 * 1024)}
        else:
            self.fields["attachments"].help_text = _(
                "可选。最多 %(n)s 个文件，每个不超过 %(mb)s MB；支持 PDF、JPEG、PNG、TIFF、Word、文本。"
            ) % limits
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not data.get("is_anonymous") and not (data.get("name") or "").strip():
            self.add_error("name", _("请填写姓名；不愿留名的请勾选“匿名提出”"))
        if data.get("accused_organ") and data.get("category") != "accusation":
            self.add_error("accused_organ", _("只有检举控告类事项填写被检举控告的机关、单位"))
        return data


class TrackForm(PortalForm):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("查询密码"),
        max_length=20,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class EvaluateForm(PortalForm):
    rating = forms.ChoiceField(
        label=_("您对办理情况的评价"),
        widget=forms.RadioSelect,
        choices=(),
    )
    comment = forms.CharField(
        label=_("意见和建议（可不填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [(r.value, _(r.label)) for r in Rating]


class RemedyForm(PortalForm):
    reason = forms.CharField(
        label=_("请求的理由（可不填）"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
