"""A bad row's reasons in the reader's language (issue 16: the dry run's reasons were Chinese on
the English pages).

The reasons are written by the pure row checkers (``tabular``, ``plan``: no Django, so no
gettext) and by the registration service (``services._column``: "label：message"), in Chinese,
and kept so in the run's report (a run checked yesterday is read today, by someone else, in
another language). They are translated when shown: each text is matched against the templates
below — the checkers' own sentences, with their variable parts named — and given again as the
translated template, its field labels and the service's message translated too (both are
msgids: ``plan.FIELDS``' labels, the service's gettext messages), the cell values as typed. A
text no template matches is shown as it was stored. ``test_import_reasons`` checks that each
checker's sentence matches a template and that each template has its English."""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import get_language, gettext, gettext_noop

# %(label)s / %(later)s / %(earlier)s: a field's label; %(why)s: a message (both translated);
# anything else: what the row said, shown as typed. Most specific first.
TEMPLATES: tuple[str, ...] = (
    gettext_noop("“%(label)s”含有控制字符（如 NUL）"),
    gettext_noop("“%(label)s”超过 %(n)s 字"),
    gettext_noop("缺少必填项“%(label)s”"),
    gettext_noop("行号“%(ref)s”与第 %(n)s 行重复"),
    gettext_noop("行号超过 100 字"),
    gettext_noop("%(label)s“%(text)s”不是有效日期（如 2021-03-04）"),
    gettext_noop("%(label)s %(d)s 晚于今天"),
    gettext_noop("%(label)s %(d)s 早于 2000 年"),
    gettext_noop("评价日期 %(d)s 早于答复日期 %(d2)s"),
    gettext_noop("%(later)s %(d)s 早于%(earlier)s %(d2)s"),
    gettext_noop("信访形式“%(text)s”无效（网上信访、来信、来访、来电、传真、热线转来）"),
    gettext_noop("类别“%(text)s”无效（建议意见类、检举控告类、申诉求决类）"),
    gettext_noop("处理途径“%(text)s”无效（第三十一条第一至六项）"),
    gettext_noop("状态“%(text)s”无法识别"),
    gettext_noop("评价“%(text)s”无效（满意、基本满意、不满意）"),
    gettext_noop("处理结果“%(text)s”无效（支持、解释说明、不予支持）"),
    gettext_noop("有评价时请填写评价日期"),
    gettext_noop("只有检举控告类事项填写被检举控告单位"),
    gettext_noop("填写了转送机关，请填写转送日期"),
    gettext_noop("填写了转送日期，请填写转送机关"),
    gettext_noop("已受理的事项请填写类别（第二十九条至第三十一条）"),
    gettext_noop("申诉求决类事项请填写处理途径（第三十一条）"),
    gettext_noop("有答复日期时请填写受理日期"),
    gettext_noop("有送达或归档日期时请填写答复日期"),
    gettext_noop("%(label)s“%(text)s”：%(why)s"),
    # the column mapping (``tabular.ColumnMap.check``)
    gettext_noop("未知的字段“%(text)s”"),
    gettext_noop("字段“%(label)s”对应的列“%(text)s”不在文件中"),
    gettext_noop("必填字段“%(label)s”没有对应的列"),
    # the registration service's refusal of a field, as ``services._column`` names its column
    gettext_noop("%(label)s：%(why)s"),
)
TRANSLATED = frozenset({"label", "later", "earlier", "why"})
_NAME = re.compile(r"%\((\w+)\)s")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for t in TEMPLATES:
        parts = _NAME.split(t)  # text, name, text, name, …, text
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(rx, re.S), t))
    return tuple(out)


def reason_text(reason: str) -> str:
    """``reason`` (as stored: Chinese) in the active language."""
    if not isinstance(reason, str) or (get_language() or "").startswith("zh"):
        return reason
    for rx, template in _patterns():
        m = rx.fullmatch(reason)
        if m is None:
            continue
        values = {k: gettext(v) if k in TRANSLATED else v for k, v in m.groupdict().items()}
        if template.startswith("%(label)s") and gettext(m["label"]) == m["label"]:
            continue  # not a field's label (no translation): another template, or as stored
        return gettext(template) % values
    return gettext(reason)


def report_shown(report: dict) -> dict:  # type: ignore[type-arg]
    """A run's report with its rows' reasons in the active language (the stored one unchanged)."""
    if not report.get("problems"):
        return report
    return {
        **report,
        "problems": [
            {**p, "reasons": [reason_text(r) for r in p.get("reasons", ())]}
            for p in report["problems"]
        ],
    }
