"""The worklist's table rows, written in Python (issue 14).

A page holds 50 rows; through the template language each row cost ≈ 0.25 ms of CPU (a dozen
tags, two date filters, a ``blocktranslate count``, a ``{% url %}``): 12-13 ms of the page's
≈ 38 ms at 10^6 (bench/README.md, "The worklist's Python"). Here the labels are translated once
per page and each row is a few string joins: the same HTML, byte for byte, as the template
gave (``web/tests/test_worklist_rows.py`` renders both and compares them, in both languages).
Every value from the database is escaped, and every label from Python (``|tr``); the words the
template translated (``{% translate %}``: literals, which Django does not escape) are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from xinfang.web.labels import tr

_PK = 987654321  # a stand-in id for the petition page's URL, replaced in each row


class RowWriter:
    """Writes the rows of one page: the labels and the URL pattern are made once."""

    def __init__(self) -> None:
        self.url = reverse("web:petition", args=[_PK])
        self.l_due = gettext("期限")
        self.l_code = gettext("查询码")
        self.l_state = gettext("状态")
        self.l_received = gettext("收到日期")
        self.l_region = gettext("事项所在地")
        self.prov = (
            f' <span class="provisional" title="'
            f'{gettext("按暂定的节假日安排计算，国务院办公厅公布当年安排后可能调整")}">'
            f"{gettext('暂定')}</span>"
        )
        self.no_limit = f'<span class="muted">{gettext("无法定期限")}</span>'
        self.collective = f' <span class="muted">{gettext("（集体）")}</span>'
        self.extended = f' <span class="muted">{gettext("（已延期）")}</span>'
        self.unreported = f' <span class="due due-overdue">{gettext("待报告")}</span>'
        self._labels: dict[Any, str] = {}

    def _label(self, value: Any) -> str:
        """A label as ``{{ value|tr }}`` renders it (translated once per page)."""
        try:
            return self._labels[value]
        except KeyError:
            out = self._labels[value] = escape(tr(value))
            return out
        except TypeError:  # not hashable: as it comes
            return escape(tr(value))

    def _due(self, r: Mapping[str, Any]) -> str:
        p = r["p"]
        out = []
        if r["due_label"]:
            out.append(f'<span class="due-code">{escape(r["due_label"])}</span> ')
        if p.next_due:
            status = r["due_status"]
            days = r["days_left"]
            if status == "overdue":
                n = abs(int(days))
                left = ngettext("超期 %(n)s 日", "超期 %(n)s 日", n) % {"n": n}
            else:
                left = ngettext("剩 %(n)s 日", "剩 %(n)s 日", days) % {"n": days}
            out.append(
                f'<span class="due due-{escape(status)}">{p.next_due.isoformat()} {left}</span>'
            )
            if r["provisional"]:
                out.append(self.prov)
        elif r["due"]:
            d = r["due"].due.isoformat()
            out.append(
                f'<span class="muted">{gettext("至 %(d)s（非本机关期限）") % {"d": d}}</span>'
            )
        else:
            out.append(self.no_limit)
        return "".join(out)

    def row(self, r: Mapping[str, Any]) -> str:
        p = r["p"]
        title = [
            f'<a href="{self.url.replace(str(_PK), str(p.pk))}">{escape(p.title)}</a>',
            self.collective if p.is_collective else "",
            self.extended if p.extended else "",
            *(f' <span class="flag">{self._label(x)}</span>' for x in r["flags"]),
            self.unreported if r["unreported"] else "",
        ]
        received = timezone.localtime(p.received_at).date().isoformat()
        return (
            "\n<tr>\n"
            f'  <td data-label="{self.l_due}">{self._due(r)}</td>\n'
            f'  <td data-label="{self.l_code}"><code>{escape(r["code"])}</code></td>\n'
            f'  <td class="card-title">{"".join(title)}</td>\n'
            f'  <td data-label="{self.l_state}">{self._label(r["state_label"])}</td>\n'
            f'  <td data-label="{self.l_received}">{received}</td>\n'
            f'  <td data-label="{self.l_region}">{escape(p.region.name)}</td>\n'
            "</tr>\n"
        )


def worklist_rows_html(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The ``<tr>`` of every row (each value escaped here)."""
    w = RowWriter()
    return mark_safe("".join(w.row(r) for r in rows))  # every value escaped above
