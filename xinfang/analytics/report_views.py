"""The report form: the analyst picks the report and period, writes the commentary, and
downloads the DOCX (or the XLSX of every figure). Nothing is stored: generating again is
harmless, and a form with an error is shown again with everything typed in it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from xinfang.analytics.query import only_known
from xinfang.analytics.reports import COMMENTARY_MAX, report_data, report_docx, report_xlsx
from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.core.inputs import is_digits
from xinfang.directory.permissions import Cap, user_can

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _clean(post) -> tuple[dict[str, object], dict[str, str]]:  # type: ignore[no-untyped-def]
    errors: dict[str, str] = {}
    kind = post.get("kind", "")
    if kind not in ("annual", "monthly"):
        errors["kind"] = gettext("请选择报告种类")
    year_text, month_text = post.get("year", ""), post.get("month", "")
    year = int(year_text) if is_digits(year_text) and 2000 <= int(year_text) <= 2100 else None
    if year is None:
        errors["year"] = gettext("年份应在 2000 至 2100 之间")
    month = int(month_text) if is_digits(month_text) and 1 <= int(month_text) <= 12 else None
    if kind == "monthly" and month is None:
        errors["month"] = gettext("请选择月份（1–12）")
    commentary = post.get("commentary", "")
    if "\x00" in commentary:
        errors["commentary"] = gettext("分析与建议含有无效字符")
    elif len(commentary) > COMMENTARY_MAX:
        errors["commentary"] = gettext("分析与建议不超过 %(n)s 字") % {"n": COMMENTARY_MAX}
    fmt = post.get("format", "docx")
    if fmt not in ("docx", "xlsx"):
        errors["format"] = gettext("格式无效")
    return {"kind": kind, "year": year, "month": month, "commentary": commentary,
            "format": fmt}, errors


@login_required
def report(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Cap.VIEW_DEIDENTIFIED):  # type: ignore[arg-type]
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    today = clock.today()
    if request.method != "POST":
        # a link may name the report and its period (``?kind=&year=&month=``): checked as the
        # form is, a value it cannot read is a 400 at its field, never today's report instead
        only_known(request.GET, ("kind", "year", "month"))
        asked = {"kind": "monthly", "year": str(today.year), "month": str(today.month),
                 **{k: v for k, v in request.GET.items() if v}}
        data, errors = _clean(asked)
        form = {**data, "year": asked["year"], "month": asked["month"], "commentary": ""}
        return render(request, "analytics/report.html", {"form": form, "errors": errors},
                      status=400 if errors else 200)
    data, errors = _clean(request.POST)
    if errors:
        form = {**data, "year": request.POST.get("year", ""), "month": request.POST.get("month", "")}
        return render(request, "analytics/report.html", {"form": form, "errors": errors},
                      status=400)
    d = report_data(user=request.user, kind=str(data["kind"]), year=int(data["year"]),  # type: ignore[arg-type,call-overload]
                    month=data["month"], commentary=str(data["commentary"]).replace("\r\n", "\n"))  # type: ignore[arg-type]
    stem = f"{d.month_from:%Y}" if d.kind == "annual" else f"{d.month_from:%Y-%m}"
    if data["format"] == "xlsx":
        body, ctype, ext = report_xlsx(d), XLSX, "xlsx"
    else:
        body, ctype, ext = report_docx(d), DOCX, "docx"
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="report-{d.kind}-{stem}.{ext}"'
    return resp



