"""A dry run's reasons in the reader's language (issue 16): stored as the checkers write them
(Chinese), shown in English to an English reader, as stored to a Chinese one."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from xinfang.imports.models import ImportRun
from xinfang.imports.reasons import TEMPLATES, reason_text
from xinfang.imports.tasks import import_run_task
from xinfang.imports.tests.test_import import row, run
from xinfang.imports.tests.test_pages import mapping_post, upload

pytestmark = [pytest.mark.django_db]
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Rows each wrong in ways that give every sentence the checkers write (and one good row).
BAD = [
    row(
        **{
            "行号": "B-1",
            "收到日期": "2024-02-30",
            "信访形式": "飞鸽",
            "类别": "闲聊类",
            "处理途径": "9",
            "状态": "神游",
            "评价": "还行",
            "处理结果": "随便",
        }
    ),
    row(**{"行号": "B-2", "登记机关": "无此局", "收到日期": "2030-01-01"}),
    row(**{"行号": "B-3", "收到日期": "1999-01-01", "受理日期": "", "类别": ""}),
    row(**{"行号": "B-4", "受理日期": "2024-03-01", "评价日期": "2024-04-01"}),
    row(**{"行号": "B-5", "标题": ""}),
    row(**{"行号": "B-5"}),
    row(**{"行号": "B-7", "内容": "含\x00字符"}),
    row(**{"行号": "B-8", "被检举控告单位": "青山县人民政府", "转送日期": "", "处理途径": ""}),
    row(**{"行号": "B-9", "转送机关": "", "评价日期": "", "答复日期": "", "受理日期": ""}),
    row(**{"行号": "B-10", "证件号码": "110101199003071234"}),
]


def test_every_sentence_the_checkers_write_is_shown_in_english(world):
    """Each reason of a dry run over rows wrong in every way: in English, translated (its field
    labels too), only what the row said left as typed; in Chinese, as stored. Plant: a template
    missing from ``TEMPLATES`` leaves its sentence Chinese, and this fails."""
    out = run(BAD, dry_run=True)
    reasons = [r for p in out.report.problems for r in p.reasons]
    assert len(reasons) >= 15, reasons
    typed = ("2024-02-30", "飞鸽", "闲聊类", "9", "神游", "还行", "随便", "无此局", "B-5")
    with translation.override("en"):
        for r in reasons:
            shown = reason_text(r)
            rest = shown
            for t in typed:
                rest = rest.replace(t, "")
            assert not CJK.search(rest.split("(")[0]), (r, shown)
    with translation.override("zh-hans"):
        assert [reason_text(r) for r in reasons] == reasons


def test_every_template_has_its_english():
    with translation.override("en"):
        for t in TEMPLATES:
            assert translation.gettext(t) != t, t
            assert set(re.findall(r"%\((\w+)\)s", translation.gettext(t))) == set(
                re.findall(r"%\((\w+)\)s", t)
            ), t


def test_an_english_reader_reads_the_dry_run_in_english(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.clerk)
    r = upload(client, [row(), row(**{"行号": "A-2", "收到日期": "2024-02-30"})])
    ran = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        mapping_post(client, ran, "check", "k2")
    import_run_task.func(run_id=ran.pk, commit=False)
    zh = client.get(r["Location"]).content.decode()
    assert "收到日期“2024-02-30”不是有效日期" in zh
    client.cookies["django_language"] = "en"
    en = client.get(r["Location"]).content.decode()
    assert "Received “2024-02-30” is not a valid date (such as 2021-03-04)" in en
    assert "不是有效日期" not in en
