"""Staff pages in the user's language: Chinese labels from elsewhere, translated at render time.

The pure rule modules (``petitions.workflow``, ``deadlines.statutes``) keep their labels in
Chinese and import no Django; the model choices and a few selectors do the same. The web layer
translates those labels when it renders them, through the English catalogue whose msgids are the
exact Chinese labels (docs/decisions/0004). The marks below put labels that carry no translation
marker where they are defined into that catalogue (``makemessages`` reads them here).

Templates use the filters of ``{% load xinfang_i18n %}``: ``label|tr`` (a label as a noun or a
state, e.g. a timeline entry) and ``label|tr_action`` (an action label as a command, e.g. a
button: "转送" is "Transfer" the button, and "Transfer" the timeline entry too, but "交办" is
"Assign" on a button and "Assignment" in the timeline).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

#: The msgctxt of action labels used as commands (buttons, action forms, flashed messages).
ACTION_CONTEXT = "staff action"

LABELS = (
    # petitions.selectors: the timeline entry of an online submission
    gettext_noop("接收"),
    # petitions.models.Channel (also marked in portal.labels)
    gettext_noop("网上信访"), gettext_noop("来信"), gettext_noop("来访"), gettext_noop("来电"),
    gettext_noop("传真"), gettext_noop("热线转来"),
    # deadlines.statutes: the steps of the statutory time limits
    gettext_noop("登记并转送、交办"),
    gettext_noop("逐级转送（本级信访部门的分级时限）"),
    gettext_noop("书面告知信访人（直接提出的信访事项）"),
    gettext_noop("书面告知信访人接收情况以及处理途径和程序（转送、交办的信访事项）"),
    gettext_noop("对不属于本机关职权范围的转送、交办事项提出异议"),
    gettext_noop("反馈交办事项办理结果并提交办结报告"),
    gettext_noop("办理并出具信访处理意见书"),
    gettext_noop("请求复查"),
    gettext_noop("提出复查意见并予以书面答复"),
    gettext_noop("请求复核"),
    gettext_noop("提出复核意见"),
    # directory.otp: the error shown on the two-step pages
    gettext_noop("验证码不正确或已过期"),
    # documents.views: the back link of a document page
    gettext_noop("返回信访事项"),
    # workbench.selectors.SEARCH_KINDS
    gettext_noop("标题和内容"), gettext_noop("查询码"), gettext_noop("信访人姓名"), gettext_noop("联系电话"),
    gettext_noop("自动识别"), gettext_noop("证件号码"),
    # analytics.selectors: petitions without a category
    gettext_noop("未分类"),
    # petitions.similar: why an earlier petition may be the same matter
    gettext_noop("查询码相同"), gettext_noop("联系电话相同"),
)

#: petitions.workflow.ACTION_LABELS as commands (msgctxt ACTION_CONTEXT); lazy only because
#: ``makemessages`` knows no ``pgettext_noop``.
ACTION_COMMANDS = (
    pgettext_lazy("staff action", "登记"),
    pgettext_lazy("staff action", "转送"),
    pgettext_lazy("staff action", "交办"),
    pgettext_lazy("staff action", "移送政法机关"),
    pgettext_lazy("staff action", "移送纪检监察机关"),
    pgettext_lazy("staff action", "提出异议"),
    pgettext_lazy("staff action", "同意异议并收回"),
    pgettext_lazy("staff action", "不同意异议"),
    pgettext_lazy("staff action", "受理并书面告知"),
    pgettext_lazy("staff action", "告知向有权机关提出"),
    pgettext_lazy("staff action", "不予受理"),
    pgettext_lazy("staff action", "导入法定途径"),
    pgettext_lazy("staff action", "开始办理"),
    pgettext_lazy("staff action", "延长办理期限"),
    pgettext_lazy("staff action", "举行听证"),
    pgettext_lazy("staff action", "听证结束"),
    pgettext_lazy("staff action", "调解和解"),
    pgettext_lazy("staff action", "出具处理意见书"),
    pgettext_lazy("staff action", "答复"),
    pgettext_lazy("staff action", "登记送达"),
    pgettext_lazy("staff action", "报送办结报告"),
    pgettext_lazy("staff action", "申请复查"),
    pgettext_lazy("staff action", "出具复查意见"),
    pgettext_lazy("staff action", "申请复核"),
    pgettext_lazy("staff action", "出具复核意见"),
    pgettext_lazy("staff action", "期满未申请"),
    pgettext_lazy("staff action", "归档"),
    pgettext_lazy("staff action", "作废登记"),
)


def tr(value: Any) -> Any:
    """A Chinese label in the active language; anything else (None, numbers, names) unchanged."""
    if isinstance(value, str) and value:
        return gettext(value)
    return value


def tr_action(value: Any) -> Any:
    """An action label as a command ("交办" → "Assign"); falls back to :func:`tr`."""
    if isinstance(value, str) and value:
        out = pgettext(ACTION_CONTEXT, value)
        return out if out != value else gettext(value)
    return value


def tr_choices(choices: Any) -> list[tuple[Any, Any]]:
    """``[(value, label), …]`` with each label translated."""
    return [(v, tr(label)) for v, label in choices]
