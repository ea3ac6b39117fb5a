"""English counts agree with their number: "1 row", "2 rows", never "1 petitions" (fixb item 5).

A count whose English noun takes a plural goes through ngettext / ``blocktranslate count``; a
message with several counts reads them as "label: n" so no noun depends on a number.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

import xinfang

PO = Path(xinfang.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
NOUNS = r"(petitions|rows|days|sessions|transfers|messages|entries|deadlines|windows|rounds)"
COUNTED = re.compile(r"%\((\w+)\)s " + NOUNS + r"\b")
# a bound (not a count of things present) is always more than one
BOUND = re.compile(
    r"(at most|up to|over|within|last|first|in|for|Too many|than|already)\s+(the\s+)?(newest\s+)?$",
    re.I,
)
# counts that are never one where they show: a setting's default (60 days), and the ledger that is
# only sent to the export when it is too long to show
ALWAYS_MANY = {
    "书面反馈期限（默认 %(n)s 日）",
    "台账共 %(n)s 件，请在台账页面点击“导出台账”，由后台生成后下载",
}


def _singular_entries():
    """(msgid, msgstr) of every entry without msgid_plural."""
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" in block:
            continue
        mid = re.search(r'^msgid "(.*)"$', block, re.M)
        mstr = re.search(r'^msgstr "(.*)"$', block, re.M)
        if mid and mstr:
            yield mid.group(1), mstr.group(1)


def test_no_singular_message_puts_a_count_before_a_plural_noun():
    bad = []
    for msgid, msgstr in _singular_entries():
        if msgid in ALWAYS_MANY:
            continue
        for m in COUNTED.finditer(msgstr):
            if not BOUND.search(msgstr[: m.start()]):
                bad.append((msgid, msgstr))
    assert not bad, "\n".join(f"{i} -> {s}" for i, s in bad)


def test_the_fixed_counts_read_right_for_one_and_for_two():
    cases = [
        ("共 %(n)s 行", "1 row", "2 rows"),
        ("确认导入 %(n)s 件", "Import 1 petition", "Import 2 petitions"),
        ("已发布 %(n)s 场接访", "1 session published", "2 sessions published"),
        ("尚未到达承办机关，已用时 %(n)s 日。", "1 day so far", "2 days so far"),
        ("%(n)s 件", "1 petition", "2 petitions"),
    ]
    with translation.override("en"):
        for msgid, one, two in cases:
            assert one in ngettext(msgid, msgid, 1) % {"n": 1}, msgid
            assert two in ngettext(msgid, msgid, 2) % {"n": 2}, msgid
    with translation.override("zh-hans"):
        assert ngettext("共 %(n)s 行", "共 %(n)s 行", 1) % {"n": 1} == "共 1 行"


def test_the_peer_warning_and_the_import_summary_name_no_noun_by_number():
    with translation.override("en"):
        html = Template(
            "{% load i18n %}{% blocktranslate with t=1 o=1 p=1 %}转送 {{ t }} 件，办理情况等其他消息 {{ o }} 条，"
            "涉及信访事项 {{ p }} 件。{% endblocktranslate %}"
        ).render(Context())
    assert "Transfers: 1;" in html and "petitions concerned: 1." in html
    assert "1 transfers" not in html and "1 petitions" not in html
