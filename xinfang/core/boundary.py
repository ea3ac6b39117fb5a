"""The one place where bad input is refused before any view sees it (issue 13 §1.4, §1.9;
issue 11): NUL and other control characters, invalid UTF-8 and out-of-range integers, in the
path, the query string, the headers, form fields, file names and JSON bodies.

The answer is a clear 400: on the API the documented JSON error ``{code, message, fields}``;
on a page a readable explanation that names the fields, shows what was typed (the offending
characters removed) and offers to send it again without them, so nothing typed is lost.
Forms and schemas still check lengths and ranges of their own columns
(``xinfang.core.columns``); this layer makes sure no text they see can break a database, an
export or a document.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext, gettext_noop

from xinfang.core.inputs import MAX_JSON_DEPTH, json_problems, text_problem
from xinfang.core.preparing import preparing_progress

Problems = dict[str, list[str]]
log = logging.getLogger("xinfang.boundary")


def _add(problems: Problems, where: str, what: str) -> None:
    problems.setdefault(where[:200], []).append(what)


def _pairs_problems(raw: bytes | str, problems: Problems) -> list[tuple[str, str]]:
    """Decode an application/x-www-form-urlencoded string strictly; note what is wrong.

    Bytes outside the percent-escapes must be UTF-8 too: a raw b"\\xff" in a body (or in a
    query string, which WSGI hands over as latin-1) was read as text and stored escaped."""
    try:
        octets = raw if isinstance(raw, bytes) else raw.encode("latin-1")
    except UnicodeEncodeError:
        octets = None  # already text beyond latin-1 (a test client): nothing raw to check
    if octets is not None:
        try:
            octets.decode("utf-8")
        except UnicodeDecodeError:
            _add(problems, "request", "invalid UTF-8")
            return []
    data = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    try:
        pairs = parse_qsl(data, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        _add(problems, "request", "invalid UTF-8")
        return []
    except ValueError:
        _add(problems, "request", "malformed")
        return []
    for k, v in pairs:
        for s in (k, v):
            if (p := text_problem(s)) is not None:
                _add(problems, k, p)
    return pairs


def request_problems(request: HttpRequest) -> Problems:
    problems: Problems = {}
    if (p := text_problem(request.path_info)) is not None:
        _add(problems, "path", p)
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str):
            if (p := text_problem(value.replace("\t", " "))) is not None:
                _add(problems, name[5:].replace("_", "-").title(), p)
    _pairs_problems(request.META.get("QUERY_STRING", "") or "", problems)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return problems
    ctype = (request.content_type or "").lower()
    if ctype == "application/x-www-form-urlencoded":
        _pairs_problems(request.body, problems)
    elif ctype == "multipart/form-data":
        post = request.POST  # parsed once here; the view reads the same object
        for k, values in post.lists():
            for v in [k, *values]:
                if (p := text_problem(v)) is not None:
                    _add(problems, k, p)
        for k, files in request.FILES.lists():
            for f in files:
                if (p := text_problem(f.name or "")) is not None:
                    _add(problems, k, p)
    elif ctype == "application/json" or ctype.endswith("+json"):
        body = request.body
        if body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                _add(problems, "body", "invalid UTF-8")
                return problems
            try:
                doc = json.loads(text)
            except ValueError:
                return problems  # malformed JSON: the API's own parser answers it
            except RecursionError:  # nested past what the decoder can follow
                _add(problems, "body", f"nested deeper than {MAX_JSON_DEPTH} levels")
                return problems
            for where, p in json_problems(doc):
                _add(problems, where, p)
    return problems


#: Apps above core that answer their own errors in their own format under a path prefix
#: (Open311: GeoReport v2's error list), registered in their ``AppConfig.ready()``; core
#: imports none of them (design.md: no lower module imports a higher one).
_ERROR_ANSWERS: dict[str, Callable[[HttpRequest, int, str], HttpResponse]] = {}


def error_answer_add(
    *, prefix: str, answer: Callable[[HttpRequest, int, str], HttpResponse]
) -> None:
    """Under ``prefix`` the boundary's refusals are ``answer(request, status, message)``."""
    _ERROR_ANSWERS[prefix] = answer


def _open311(request: HttpRequest, status: int, message: str) -> HttpResponse | None:
    """Under a registered prefix (/open311/) a refusal is that interface's own error answer
    (exchange.open311.views.error_answer); None elsewhere."""
    for prefix, answer in _ERROR_ANSWERS.items():
        if request.path.startswith(prefix):
            return answer(request, status, message)
    return None


def json_errors(view: Callable) -> Callable:
    """Mark a page-side view that answers JSON (the organ search behind the picker): the
    boundary's refusals on its URL are then the JSON ``{code, message, fields}``, not the page,
    so the script calling it can show the reason (walker report item 10)."""
    view.answers_json = True  # type: ignore[attr-defined]
    return view


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(getattr(match.func, "answers_json", False))


#: Under a path prefix, what a person reads for a form field's name on the refusal page
#: (walker report item 11: "reply_summary：NUL"), registered in an app's ``AppConfig.ready()``.
_FIELD_LABELS: dict[str, dict[str, str]] = {}


def field_labels_add(*, prefix: str, labels: dict[str, str]) -> None:
    _FIELD_LABELS.setdefault(prefix, {}).update(labels)


def _label(request: HttpRequest, name: str) -> str:
    for prefix, labels in _FIELD_LABELS.items():
        if request.path.startswith(prefix) and name in labels:
            return str(labels[name])
    return name


def _cleaned(value: str) -> str:
    from xinfang.core.inputs import _BAD

    return _BAD.sub("", value)


#: The problems of ``core.inputs`` that are numbers, not characters, as the reader reads them.
NUMBER_PROBLEMS = {
    "integer out of range": gettext_noop("整数超出允许范围（-2^63 至 2^63-1）"),
    "not a finite number": gettext_noop("不是有限的数值"),
}


class InputBoundaryMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = request_problems(request)
        if problems:
            return self.refuse(request, problems)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return exception_answer(request, exc)

    @staticmethod
    def refuse(request: HttpRequest, problems: Problems) -> HttpResponse:
        message = gettext(
            "提交的内容含有无法处理的字符（如 NUL 等控制字符或无效编码），请删除后重新提交"
        )
        code = "invalid_input"
        # A number too big for any column is not a bad character (fixui item 2: 2^63 was
        # answered with the NUL message): say what it is, at its field, in the reader's language.
        said = {p: gettext(NUMBER_PROBLEMS[p]) for ps in problems.values() for p in ps
                if p in NUMBER_PROBLEMS}  # fmt: skip
        if said:
            problems = {k: [said.get(p, p) for p in ps] for k, ps in problems.items()}
            if all(p in said.values() for ps in problems.values() for p in ps):
                code = "out_of_range"
                message = gettext("数值超出允许范围，请修改后重新提交")
        if _wants_json(request):
            return JsonResponse(
                {"code": code, "message": message, "fields": problems}, status=400
            )
        if (answer := _open311(request, 400, message)) is not None:
            return answer
        fields = []
        files = False
        if request.method == "POST" and problems.keys() - {"path", "request"}:
            ctype = (request.content_type or "").lower()
            if ctype == "multipart/form-data":
                files = bool(request.FILES)
                pairs = [(k, v) for k, vs in request.POST.lists() for v in vs]
            elif ctype == "application/x-www-form-urlencoded":
                pairs = _pairs_problems(request.body, {})
            else:
                pairs = []
            fields = [
                {
                    "name": _cleaned(k),
                    "label": _label(request, _cleaned(k)),
                    "value": _cleaned(v),
                    "bad": k in problems,
                }
                for k, v in pairs
                if k != "csrfmiddlewaretoken"
            ]
        # This middleware runs above CsrfViewMiddleware: read the visitor's CSRF cookie as it
        # would, so the page's {% csrf_token %} matches it, and set the cookie when there was
        # none; else "去掉这些字符后重新提交" always met the CSRF 403 (walker report item 2).
        csrf = CsrfViewMiddleware(lambda r: HttpResponse())
        csrf.process_request(request)
        response = render(
            request,
            "core/bad_input.html",
            {
                "message": message,
                "problems": [(_label(request, k), v) for k, v in sorted(problems.items())],
                "fields": fields,
                "shown": [f for f in fields if f["bad"]],
                "files": files,
                "action": request.path if text_problem(request.path) is None else "",
            },
            status=400,
        )
        return csrf.process_response(request, response)


def exception_answer(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The 4xx a database refusal deserves: a value the column cannot hold (``DataError`` on
    PostgreSQL, ``OverflowError`` from SQLite's driver) is the client's 400; a unique key taken
    by a concurrent request is a 409. Anything else is not ours to answer (None)."""
    if isinstance(exc, DataError | OverflowError):
        status, code = 400, "invalid"
        message = gettext("提交的内容超出了允许的长度或数值范围，请修改后重新提交")
    elif isinstance(exc, IntegrityError):
        status, code = 409, "conflict"
        message = gettext("此操作与同时进行的另一操作冲突，请刷新后重试")
    else:
        return None
    log.warning("refused by the database", extra={"error": type(exc).__name__, "status": status})
    if (answer := _open311(request, status, message)) is not None:
        return answer
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(
        request,
        "core/bad_input.html",
        {"message": message, "problems": [], "fields": [], "action": ""},
        status=status,
    )


def busy(exc: BaseException | None) -> bool:
    """The database is busy or unreachable (SQLite's "database is locked", a lock or
    statement timeout, a lost connection): the request may simply be sent again later."""
    return isinstance(exc, OperationalError | InterfaceError)


def busy_answer(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with ``Retry-After``: the transaction was rolled back, nothing was half saved.
    Plain text (a page would need the database again for its menu), JSON under /api/."""
    log.error("database unavailable", extra={"error": type(exc).__name__ if exc else ""})
    message = gettext("系统繁忙，请稍后再试（数据库暂时不可用）")
    if (progress := preparing_progress()) is not None:  # `xinfang demo` is still seeding
        message = gettext("演示数据正在生成（已完成 %(p)s%%），数据库正忙，请稍后再试") % {
            "p": progress
        }
    response = _open311(request, 503, message)
    if response is None and request.path.startswith("/api/"):
        response = JsonResponse({"code": "unavailable", "message": message}, status=503)
    elif response is None:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "30"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: JSON in the API's documented shape under /api/, a page elsewhere.

    A busy database raised in a middleware (outside the view, so no ``process_exception``
    sees it; walker report item 1) is the 503 of ``busy_answer``, not a 500."""
    if busy(exc := sys.exc_info()[1]):
        return busy_answer(request, exc)
    message = gettext("系统出错，请稍后再试；如果问题持续，请联系管理员")
    request_id = getattr(request, "request_id", "")
    if (answer := _open311(request, 500, message)) is not None:
        return answer
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": message, "request_id": request_id}, status=500
        )
    return render(
        request,
        "core/bad_input.html",
        {
            "message": message,
            "problems": [],
            "fields": [],
            "action": "",
            "request_id": request_id,
            "server_error": True,
        },
        status=500,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler400 (a malformed multipart body, too many fields, a body too large):
    JSON in the API's documented shape under /api/, the readable page elsewhere."""
    message = gettext("请求格式有误，无法处理")
    if (answer := _open311(request, 400, message)) is not None:
        return answer
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "message": message}, status=400)
    return render(
        request,
        "core/bad_input.html",
        {"message": message, "problems": [], "fields": [], "action": ""},
        status=400,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent from a page that has expired (or from elsewhere) is
    a readable 403 in the site's language with a way back, not Django's bare page."""
    message = gettext("页面已过期或安全校验未通过，表单没有提交。请返回上一页，刷新后重新提交。")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "csrf", "message": message}, status=403)
    return render(
        request,
        "core/bad_input.html",
        {"message": message, "problems": [], "fields": [], "action": "", "csrf": True},
        status=403,
    )
