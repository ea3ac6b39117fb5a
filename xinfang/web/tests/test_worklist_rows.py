"""The worklist's rows written in Python (``web.worklist_rows``) are the HTML the template wrote,
byte for byte, in both languages, for every kind of row (issue 14: the template's rows were a
third of the page's CPU)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from xinfang.directory.models import Region
from xinfang.petitions.flags import FLAGS, LISTED
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import STATE_LABELS, State
from xinfang.web.views import DUE_CODE_LABELS
from xinfang.web.worklist_rows import worklist_rows_html

#: The rows as web/worklist.html wrote them before (commit 17f877e), kept to compare with.
TEMPLATE_ROWS = (
    "{% load i18n xinfang_i18n %}"
    + '{% translate "期限" as l_due %}{% translate "查询码" as l_code %}{% translate "状态" as l_state %}{% translate "收到日期" as l_received %}{% translate "事项所在地" as l_region %}{% translate "按暂定的节假日安排计算，国务院办公厅公布当年安排后可能调整" as l_prov_title %}{% translate "暂定" as l_prov %}{# translated once, not on every row #}\n{% for r in rows %}\n<tr>\n  <td data-label="{{ l_due }}">{% if r.due_label %}<span class="due-code">{{ r.due_label }}</span> {% endif %}{% if r.p.next_due %}<span class="due due-{{ r.due_status }}">{{ r.p.next_due|date:"Y-m-d" }}{% if r.due_status == "overdue" %} {% blocktranslate count n=r.days_left|abs %}超期 {{ n }} 日{% plural %}超期 {{ n }} 日{% endblocktranslate %}{% else %} {% blocktranslate count n=r.days_left %}剩 {{ n }} 日{% plural %}剩 {{ n }} 日{% endblocktranslate %}{% endif %}</span>{% if r.provisional %} <span class="provisional" title="{{ l_prov_title }}">{{ l_prov }}</span>{% endif %}{% elif r.due %}<span class="muted">{% blocktranslate with d=r.due.due|date:"Y-m-d" %}至 {{ d }}（非本机关期限）{% endblocktranslate %}</span>{% else %}<span class="muted">{% translate "无法定期限" %}</span>{% endif %}</td>\n  <td data-label="{{ l_code }}"><code>{{ r.code }}</code></td>\n  <td class="card-title"><a href="{% url \'web:petition\' r.p.pk %}">{{ r.p.title }}</a>{% if r.p.is_collective %} <span class="muted">{% translate "（集体）" %}</span>{% endif %}{% if r.p.extended %} <span class="muted">{% translate "（已延期）" %}</span>{% endif %}{% for l in r.flags %} <span class="flag">{{ l|tr }}</span>{% endfor %}{% if r.unreported %} <span class="due due-overdue">{% translate "待报告" %}</span>{% endif %}</td>\n  <td data-label="{{ l_state }}">{{ r.state_label|tr }}</td>\n  <td data-label="{{ l_received }}">{{ r.p.received_at|date:"Y-m-d" }}</td>\n  <td data-label="{{ l_region }}">{{ r.p.region.name }}</td>\n</tr>\n'
    + "{% endfor %}"
)


def _row(pk: int, **kw):  # type: ignore[no-untyped-def]
    p = Petition(
        pk=pk,
        title=kw.get("title", '小区<物业>收费 & "维修"问题'),
        tracking_code="X" * 16,
        received_at=kw.get("received_at", datetime(2025, 3, 1, 17, 30, tzinfo=UTC)),
        next_due=kw.get("next_due"),
        is_collective=kw.get("collective", False),
        extended=kw.get("extended", False),
        region=Region(code="990102", name="示例区<一>"),
    )
    due = kw.get("due")
    return {
        "p": p,
        "code": kw.get("code", "X123-4567-89AB"),
        "state_label": STATE_LABELS[kw.get("state", State.IN_HANDLING)],
        "due": due,
        "due_label": kw.get("due_label", ""),
        "due_status": kw.get("due_status", "running"),
        "days_left": kw.get("days_left"),
        "provisional": kw.get("provisional", False),
        "flags": [FLAGS[x].label for x in kw.get("flags", [])],
        "unreported": kw.get("unreported", False),
    }


ROWS = [
    _row(1, next_due=date(2025, 3, 5), due_status="overdue", days_left=-1,
         due_label=DUE_CODE_LABELS["T6"], provisional=True, flags=list(LISTED), unreported=True),
    _row(2, next_due=date(2025, 3, 5), due_status="overdue", days_left=-12, collective=True),
    _row(3, next_due=date(2025, 3, 9), due_status="due_soon", days_left=1, extended=True,
         due_label="T99"),
    _row(4, next_due=date(2025, 4, 9), due_status="running", days_left=30,
         due_label=DUE_CODE_LABELS["T1a"], state=State.REGISTERED),
    _row(5, next_due=date(2025, 3, 8), due_status="due_soon", days_left=0, provisional=True),
    _row(6, due=SimpleNamespace(due=date(2025, 5, 1)), due_label=DUE_CODE_LABELS["T7"],
         state=State.ACKNOWLEDGED, received_at=datetime(2025, 2, 28, 16, 0, tzinfo=UTC)),
    _row(7, state=State.ACKNOWLEDGED, title="", code="<b>"),
    _row(987654321, next_due=date(2025, 3, 9), due_status="running", days_left=2),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_worklist_rows_are_the_html_the_template_wrote(lang):
    old = engines["django"].from_string(TEMPLATE_ROWS)
    with translation.override(lang):
        want = old.render({"rows": ROWS})
        got = worklist_rows_html(ROWS)
    assert "\n" + got == want
    assert "&lt;物业&gt;" in got and "示例区&lt;一&gt;" in got and "&lt;b&gt;" in got
    assert ("days overdue" in got) == (lang == "en")


def test_no_rows_write_nothing():
    assert worklist_rows_html([]) == ""
