"""The step ``take_back`` (取回, issue 20): an event's action may name it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0009_event_dispatch_index")]

    operations = [
        migrations.AlterField(
            model_name="petitionevent",
            name="action",
            field=models.CharField(choices=[('receive', '接收'), ('register', '登记'), ('transfer', '转送'), ('assign', '交办'), ('refer_legal', '移送政法机关'), ('refer_discipline', '移送纪检监察机关'), ('object', '提出异议'), ('objection_accept', '同意异议并收回'), ('objection_reject', '不同意异议'), ('acknowledge', '受理并书面告知'), ('redirect', '告知向有权机关提出'), ('not_accept', '不予受理'), ('channel', '导入法定途径'), ('start_handling', '开始办理'), ('extend', '延长办理期限'), ('hearing_start', '举行听证'), ('hearing_end', '听证结束'), ('settle', '调解和解'), ('issue_opinion', '出具处理意见书'), ('reply', '答复'), ('record_delivery', '登记送达'), ('report_result', '报送办结报告'), ('request_review', '申请复查'), ('decide_review', '出具复查意见'), ('request_re_review', '申请复核'), ('decide_re_review', '出具复核意见'), ('expire_window', '期满未申请'), ('reopen_window', '恢复申请期限'), ('close', '归档'), ('void', '作废登记'), ('take_back', '取回'), ('flag', '标记')], max_length=24),  # fmt: skip
        ),
    ]
