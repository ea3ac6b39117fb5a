# The default first-level topic tree (政务事项分类); admins edit it afterwards.

from django.db import migrations

DEFAULT_TOPICS = [
    "城乡建设",
    "劳动和社会保障",
    "教育文体",
    "卫生计生",
    "环境保护",
    "交通运输",
    "商贸旅游",
    "农村农业",
    "政法",
    "民政",
    "国土资源",
    "经济管理",
    "科技与信息产业",
    "党务政务",
    "其他",
]


def seed(apps, schema_editor):
    Topic = apps.get_model("insight", "Topic")
    for i, name in enumerate(DEFAULT_TOPICS, start=1):
        Topic.objects.get_or_create(name=name, parent=None, defaults={"sort_order": i * 10})


def unseed(apps, schema_editor):
    Topic = apps.get_model("insight", "Topic")
    Topic.objects.filter(
        name__in=DEFAULT_TOPICS, parent=None, children__isnull=True, decisions__isnull=True
    ).delete()


class Migration(migrations.Migration):

    dependencies = [("insight", "0001_topics")]

    operations = [migrations.RunPython(seed, unseed)]
