"""No Chinese punctuation or Chinese status words on English pages (fixb item 1).

Punctuation written between template tags ("：", "（…）", "、") is not translated; it goes through
``{% translate "：" %}`` and the like. Choice labels shown by ``get_FOO_display`` are translated
where they are shown (the reception statuses were shown in Chinese).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.translation import gettext

import xinfang

ROOT = Path(xinfang.__file__).parent
CJK = re.compile(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]")
# the worked example of a State Council holiday notice, and the official document sheet, are Chinese texts
CHINESE_BY_DESIGN = {
    "deadlines/templates/deadlines/calendar.html",
    "documents/templates/documents/_sheet.html",
}
# the language switch names the other language in itself; the portal region picker indents with
# ideographic spaces; the printed record leaves blanks to sign on
ALLOWED = {"中文", "\u3000", "\u3000\u3000", "＿＿＿＿＿＿\u3000"}


def _outside_tags(text: str) -> str:
    blank = lambda m: " " * len(m.group(0))  # noqa: E731
    text = re.sub(
        r"{% (blocktranslate|blocktrans)\b.*?{% (endblocktranslate|endblocktrans) %}",
        blank,
        text,
        flags=re.S,
    )
    text = re.sub(r"{% comment %}.*?{% endcomment %}", blank, text, flags=re.S)
    return re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", blank, text, flags=re.S)


def test_no_template_writes_chinese_outside_its_translation_tags():
    bad = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in CHINESE_BY_DESIGN:
            continue
        for no, line in enumerate(_outside_tags(path.read_text(encoding="utf-8")).splitlines(), 1):
            for run in re.findall(CJK.pattern + "+", line):
                if run not in ALLOWED:
                    bad.append(f"{rel}:{no} {run!r}")
    assert not bad, "\n".join(bad)


def test_the_punctuation_reads_as_english():
    with translation.override("en"):
        assert gettext("：") == ": " and gettext("（") == " (" and gettext("）") == ")"
        assert gettext("、") == ", " and gettext("；") == "; " and gettext("，") == ", "
    with translation.override("zh-hans"):
        assert gettext("（") == "（"


def test_every_reception_choice_label_has_an_english_translation():
    missing = []
    for model in apps.get_app_config("reception").get_models():
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "choices", None) or []:
                if isinstance(field, models.Field) and CJK.search(str(label)):
                    with translation.override("en"):
                        if CJK.search(gettext(str(label))):
                            missing.append(f"{model.__name__}.{field.name}: {label}")
    assert not missing, missing
