# Topics (事项分类) and each petition's topic decision (issue 5, part A).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0001_initial'),
        ('petitions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Topic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50, verbose_name='名称')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='排序')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='insight.topic', verbose_name='上级分类')),
            ],
            options={
                'verbose_name': '事项分类',
                'verbose_name_plural': '事项分类',
                'ordering': ['sort_order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='TopicDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('confirmed', '确认了系统建议'), ('changed', '修改了系统建议'), ('manual', '人工选择（无系统建议）')], max_length=10, verbose_name='与建议的关系')),
                ('suggested_label', models.CharField(blank=True, max_length=50, verbose_name='系统建议')),
                ('confidence', models.FloatField(blank=True, null=True, verbose_name='置信度')),
                ('model_version', models.CharField(blank=True, max_length=64, verbose_name='模型版本')),
                ('top_terms', models.JSONField(blank=True, default=list, verbose_name='依据词语')),
                ('decided_at', models.DateTimeField(verbose_name='决定时间')),
                ('at_intake', models.BooleanField(default=True, verbose_name='登记时决定')),
                ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='决定人')),
                ('decided_by_organ', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='directory.organ', verbose_name='决定人所在机关')),
                ('petition', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='topic_decision', to='petitions.petition', verbose_name='信访事项')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='insight.topic', verbose_name='事项分类')),
            ],
            options={
                'verbose_name': '事项分类决定',
                'verbose_name_plural': '事项分类决定',
            },
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.UniqueConstraint(fields=('parent', 'name'), name='topic_unique_name_in_parent'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name',), name='topic_unique_root_name'),
        ),
        migrations.AddIndex(
            model_name='topicdecision',
            index=models.Index(fields=['topic', 'decided_at'], name='topicdecision_topic'),
        ),
    ]
