"""Routing-rule pages for administrators, under /routing/: the rules of their regions, a form
to add or change one (one-time token, POST/redirect/GET, nothing typed lost on an error), and
the rule check listing gaps and conflicts. Parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.directory.models import Organ, Region, User
from xinfang.directory.selectors import organ_picker_capped, organ_picker_groups
from xinfang.insight.models import Topic
from xinfang.petitions.models import CategoryChoices, RouteChoices
from xinfang.petitions.selectors.access import organs_within_q, region_prefix
from xinfang.petitions.selectors.targets import TARGETS_MAX
from xinfang.routing.access import require_manage, top_level
from xinfang.routing.selectors import rule_list_for_user, rules_check_for_user
from xinfang.routing.services import (
    RuleInput,
    rule_get_for_edit,
    rule_restore,
    rule_save,
    rule_withdraw,
)

TEXT_MAX = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _text(request: HttpRequest, name: str, errors: dict[str, list[str]]) -> str:
    value = (request.POST.get(name) or "").strip()
    if "\x00" in value or len(value) > TEXT_MAX:
        errors.setdefault(name, []).append(gettext("内容过长或含有不可用的字符"))
        return value.replace("\x00", "")[:TEXT_MAX]
    return value


def _int(value: str, name: str, errors: dict[str, list[str]]) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_digits(value) or len(value) > 12:
        errors.setdefault(name, []).append(gettext("请从列表中选择"))
        return None
    return int(value)


def _parse(request: HttpRequest) -> RuleInput:
    errors: dict[str, list[str]] = {}
    region_code = _text(request, "region", errors)
    region = Region.objects.filter(pk=region_code).first() if region_code else None
    if region_code and region is None:
        errors.setdefault("region", []).append(gettext("请从列表中选择"))
    category = _text(request, "category", errors)
    if category and category not in dict(CategoryChoices):
        errors.setdefault("category", []).append(gettext("请从列表中选择"))
    route = _int(request.POST.get("route", ""), "route", errors)
    if route is not None and route not in dict(RouteChoices):
        errors.setdefault("route", []).append(gettext("请从列表中选择"))
    topic_id = _int(request.POST.get("topic", ""), "topic", errors)
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    if topic_id and topic is None:
        errors.setdefault("topic", []).append(gettext("请从列表中选择"))
    organ_id = _int(request.POST.get("organ", ""), "organ", errors)
    organ = Organ.objects.filter(pk=organ_id).first() if organ_id else None
    if organ is None:
        errors.setdefault("organ", []).append(gettext("请选择承办机关"))
    keywords = _text(request, "keywords", errors)
    note = _text(request, "note", errors)
    if errors or organ is None:
        raise ApplicationError(gettext("分流规则有误，请修改后再保存"), fields=errors)
    return RuleInput(
        organ=organ,
        region=region,
        category=category,
        route=route,
        topic=topic,
        keywords=keywords,
        note=note,
    )


def _choices(user: User) -> dict:
    organ = user.organ
    assert organ is not None
    prefix = "" if top_level(organ) else region_prefix(organ)
    organs, total = organ_picker_capped(
        Organ.objects.filter(organs_within_q(organ, None), is_active=True)
        .select_related("region")
        .order_by("path"),
        TARGETS_MAX,
    )
    return {
        "regions": Region.objects.filter(code__startswith=prefix).order_by("code"),
        "whole_allowed": top_level(organ),
        "categories": CategoryChoices,
        "routes": RouteChoices,
        "topics": Topic.objects.order_by("parent_id", "name"),
        # the one organ picker (issue 12, item 10): the organs of the admin's jurisdiction
        "organ_groups": organ_picker_groups(organs=organs),
        "organs_cut": (len(organs), total) if total > len(organs) else None,
    }


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_manage(user)
    show = request.GET.get("show", "")
    rules = rule_list_for_user(user=user, active=None if show == "all" else True)
    context = {"rules": rules, "show_all": show == "all"}
    return render(request, "routing/rules.html", context)


@login_required
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    user = _user(request)
    require_manage(user)
    rule = rule_get_for_edit(actor=user, rule_id=rule_id) if rule_id is not None else None
    errors: dict = {}
    message = ""
    status = 200
    if request.method == "POST":
        try:
            # one-time token: core.once_forms claims the form's {% once_token %}
            rule_save(actor=user, data=_parse(request), rule_id=rule_id)
        except ApplicationError as e:
            errors, message, status = e.fields, e.message, e.status
        else:
            messages.success(request, gettext("分流规则已保存"))
            return redirect("routing:rules")
    form = request.POST if request.method == "POST" else _initial(rule, request.GET)
    context = {"rule": rule, "form": form, "errors": errors, "message": message}
    return render(request, "routing/rule_edit.html", context | _choices(user), status=status)


def _initial(rule, query) -> dict:  # type: ignore[no-untyped-def]
    """A rule's values, or for a new one what the rule check's link proposes."""
    if rule is None:
        return {k: query.get(k, "")[:20] for k in ("region", "category")}
    return {
        "region": rule.region_id or "",
        "category": rule.category,
        "route": str(rule.route or ""),
        "topic": str(rule.topic_id or ""),
        "organ": str(rule.organ_id),
        "keywords": rule.keywords,
        "note": rule.note,
    }


@login_required
@require_POST
def rule_withdraw_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule_withdraw(actor=_user(request), rule_id=rule_id)  # a repeat finds it withdrawn
    messages.success(request, gettext("分流规则已停用"))
    return redirect("routing:rules")


@login_required
@require_POST
def rule_restore_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule_restore(actor=_user(request), rule_id=rule_id)  # a repeat finds it in force
    messages.success(request, gettext("分流规则已恢复启用"))
    return redirect("routing:rules")


@login_required
def rule_check(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_manage(user)
    rows = rules_check_for_user(user=user)
    problems = [r for r in rows if r.decision.organ_id is None]
    names = dict(Region.objects.values_list("code", "name"))
    organs = dict(Organ.objects.values_list("pk", "name"))
    return render(
        request,
        "routing/check.html",
        {
            "problems": problems,
            "cells": len(rows),
            "names": names,
            "organs": organs,
            "category_labels": dict(CategoryChoices),
            "route_labels": dict(RouteChoices),
        },
    )
