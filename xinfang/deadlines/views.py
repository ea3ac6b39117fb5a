"""The admin's calendar page: how each year's holidays are known, and confirming a year from the
State Council's notice (preview first, then confirm). Parses the request, calls one service or
selector, renders."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.deadlines.confirmation import (
    CalendarConfirmation,
    calendar_notice_confirm,
    calendar_notice_preview,
)
from xinfang.deadlines.notice import MAX_BYTES
from xinfang.deadlines.selectors import calendar_years, calendar_years_to_confirm
from xinfang.directory.permissions import Cap, user_can

ENCODINGS = ("utf-8-sig", "gb18030")  # a notice saved on a Chinese Windows desktop is often GBK


def _gate(request: HttpRequest) -> None:
    if not user_can(request.user, Cap.ADMIN):  # type: ignore[arg-type]
        raise Forbidden(gettext("只有系统管理员可以管理节假日安排"))


def _text(request: HttpRequest) -> str:
    """The notice: the uploaded file if any (UTF-8 or GB18030), else the text area."""
    upload = request.FILES.get("file")
    if upload is None:
        return request.POST.get("text", "")
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ApplicationError(
            gettext("文件超过 %(kb)s KB，不是节假日安排通知") % {"kb": MAX_BYTES // 1024},
            fields={"file": [gettext("请选择通知的文本文件（.txt）")]},
        )
    raw = upload.read(MAX_BYTES + 1)
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(
        gettext("无法读取上传的文件"),
        fields={
            "file": [
                gettext("请上传 UTF-8 或 GB18030 编码的纯文本文件（.txt），或把通知粘贴到文本框")
            ]
        },
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    _gate(request)
    context: dict = {"text": "", "errors": {}, "preview": None, "accept_warnings": False}
    status = 200
    if request.method == "POST":
        try:
            text = _text(request)
        except ApplicationError as e:
            text = request.POST.get("text", "")
            context |= {"errors": {"message": e.message, "fields": e.fields}}
            return _render(request, context | {"text": text}, status=400)
        context["text"] = text
        context["accept_warnings"] = request.POST.get("accept_warnings") == "on"
        try:
            if "confirm" in request.POST:
                report = calendar_notice_confirm(
                    text=text,
                    actor=request.user,  # type: ignore[arg-type]
                    accept_warnings=context["accept_warnings"],
                )
                _confirmed_message(request, report)
                return redirect("deadlines:calendar")
            context["preview"] = calendar_notice_confirm(
                text=text,
                actor=request.user,  # type: ignore[arg-type]
                dry_run=True,
            )
        except ApplicationError as e:
            context["errors"] = {"message": e.message, "fields": e.fields}
            status = e.status
            if e.code == "warnings":  # show what to check beside the form, with the preview
                context["preview"] = calendar_notice_preview(text=text)
    return _render(request, context, status=status)


def _confirmed_message(request: HttpRequest, report: CalendarConfirmation) -> None:
    if report.unchanged:
        messages.success(
            request,
            gettext("%(year)s 年的节假日安排此前已按同样内容确认，未作改动")
            % {"year": report.notice.year},
        )
        return
    s = report.summary()
    messages.success(
        request,
        gettext(
            "已确认 %(year)s 年的节假日安排：重新计算 %(n)s 件信访事项，调整 %(moved)s 个期限，"
            "保留原届满日 %(kept)s 个，恢复申请期限 %(reopened)s 个"
        )
        % {"year": report.notice.year, "n": s["recomputed"], **s},
    )


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges."""
    out: list[tuple[date, date]] = []
    for d in sorted(days):
        if out and (d - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _items(report: CalendarConfirmation | None) -> list[dict]:
    """The notice's days by festival, as the preview shows them."""
    if report is None:
        return []
    by: dict[str, dict] = {}
    for d in report.notice.days:
        item = by.setdefault(d.festival, {"festival": d.festival, "rest": [], "work": []})
        item["work" if d.is_working_day else "rest"].append(d.day)
    return [
        {"festival": i["festival"], "rest": _ranges(i["rest"]), "work": i["work"]}
        for i in by.values()
    ]


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    years = calendar_years()
    notices = [y.notice for y in years if y.notice is not None]
    latest = max(notices, key=lambda n: n.confirmed_at) if notices else None
    return render(
        request,
        "deadlines/calendar.html",
        context
        | {
            "years": years,
            "to_confirm": calendar_years_to_confirm(),
            "latest": latest,
            "items": _items(context.get("preview")),
            "preview_moves": context["preview"].stored()["moves"] if context.get("preview") else [],
            "max_kb": MAX_BYTES // 1024,
        },
        status=status,
    )
