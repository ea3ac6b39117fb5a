"""Chinese labels defined elsewhere without a translation marker, marked here so that
``makemessages`` puts them in the English catalogue (the portal translates them at render)."""

from django.utils.translation import gettext_noop

LABELS = (
    # petitions.models.Channel
    gettext_noop("网上信访"), gettext_noop("来信"), gettext_noop("来访"), gettext_noop("来电"), gettext_noop("传真"), gettext_noop("热线转来"),
    # feedback.models.Stage and Rating
    gettext_noop("办理答复"), gettext_noop("复查"), gettext_noop("复核"), gettext_noop("满意"), gettext_noop("基本满意"), gettext_noop("不满意"),
    # portal public states
    gettext_noop("转送办理中"), gettext_noop("登记分流中"),
    gettext_noop("已作废（重复或误登记，不另行办理；如有疑问请联系登记机关）"),
    # documents.selectors titles and delivery methods
    gettext_noop("信访事项受理告知书"), gettext_noop("信访事项不予受理告知书"), gettext_noop("信访事项转送告知书"),
    gettext_noop("信访事项交办告知书"), gettext_noop("信访事项移送告知书"), gettext_noop("信访事项告知书"),
    gettext_noop("导入法定途径告知书"), gettext_noop("信访事项延期办理告知书"), gettext_noop("信访处理意见书"),
    gettext_noop("信访事项答复意见书"), gettext_noop("信访事项复查意见书"), gettext_noop("信访事项复核意见书"),
    gettext_noop("直接送达"), gettext_noop("邮寄送达"), gettext_noop("电子送达"), gettext_noop("其他方式送达"),
)
