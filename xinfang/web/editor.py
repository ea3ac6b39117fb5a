"""The full-page editor of a decision the organ's head signs (issue 12, items 7 and 8): the
handling opinion (Art. 32), an extension (Art. 34), a review or re-review opinion (Arts. 35,
36). The handler writes and saves drafts (保存草稿), previews the document as it will be issued,
and submits it; the head signs it or returns it with a note. One form, one-time token,
POST/redirect/GET; a refused step shows the page again with everything typed, and the text is
saved as a draft even when the step itself was refused."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.permissions import Cap, user_can, user_can_act
from xinfang.documents.models import OPEN_DRAFT, Draft
from xinfang.documents.selectors.drafts import draft_open, draft_preview, draft_timeline
from xinfang.documents.services.drafts import (
    DRAFT_FIELDS,
    DRAFT_STEPS,
    DRAFTABLE,
    draft_approve,
    draft_discard,
    draft_may,
    draft_return,
    draft_save,
    draft_submit,
    draft_withdraw,
)
from xinfang.insight.opinions.page import opinion_acknowledged, opinion_missing
from xinfang.petitions import selectors
from xinfang.petitions.gate import petition_context
from xinfang.petitions.selectors.parties import parties_for_user
from xinfang.petitions.workflow import ACTION_LABELS, Action, State, available_actions
from xinfang.web.forms import FIELDS, REASON_LABEL, REASON_REQUIRED, REQUIRED_FIELDS
from xinfang.web.labels import tr_action

#: The buttons of the editor, in the order shown: step -> label.
BUTTONS = {
    "save": gettext_noop("保存草稿"),
    "preview": gettext_noop("保存并预览"),
    "submit": gettext_noop("报送负责人签发"),
    "approve": gettext_noop("签发"),
    "withdraw": gettext_noop("撤回修改"),
    "discard": gettext_noop("撤销草稿"),
}
_SAVES_FIRST = ("save", "preview", "submit", "approve")


def _action(action: str) -> Action:
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in DRAFTABLE:
        raise Http404
    return act


def _int(value: str | None) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if 0 < n < 2**31 else None


def _may_create(user: Any, petition: Any, act: Action) -> bool:
    return user.organ_id == petition.current_organ_id and (
        user_can(user, Cap.DRAFT_DECISION) or user_can_act(user, act)
    )


def _buttons(user: Any, petition: Any, act: Action, draft: Draft | None) -> list[dict]:
    """The steps this user may take on the draft now (a new draft: save, preview, and submit
    or sign)."""
    out = []
    for step, label in BUTTONS.items():
        if draft is None:
            ok = _may_create(user, petition, act) and (
                step in ("save", "preview", "submit")
                or (step == "approve" and user_can_act(user, act))
            )
        else:
            rule = "save" if step == "preview" else step
            ok = draft_may(draft=draft, step=rule, actor=user) is None
        if ok:
            out.append({"step": step, "label": label})
    return out


def _fields(act: Action, values: dict[str, str], errors: dict) -> list[dict]:
    wanted = DRAFT_FIELDS[act]
    out = []
    for name, label, kind, choices in FIELDS.get(act, []):
        if name not in wanted:
            continue
        out.append(
            {
                "name": name,
                "label": label,
                "kind": kind,
                "choices": [(str(v), lbl) for v, lbl in choices or []],
                "value": str(values.get(name, "")),
                "required": name in REQUIRED_FIELDS,
                "errors": errors.get(name, []),
            }
        )
    return out


def _render(
    request: HttpRequest,
    petition: Any,
    act: Action,
    draft: Draft | None,
    *,
    values: dict[str, str] | None = None,
    reason: str | None = None,
    error: ApplicationError | None = None,
    missing: list | None = None,
    note: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    if values is None:
        values = dict(draft.data) if draft is not None else {}
    if reason is None:
        reason = draft.reason if draft is not None else ""
    buttons = _buttons(user, petition, act, draft)
    editable = any(b["step"] == "save" for b in buttons)
    history = [h for h in draft_timeline(petition_id=petition.pk) if h["draft"].action == act]
    return render(
        request,
        "web/editor.html",
        {
            "petition": petition,
            "action": act.value,
            "action_label": ACTION_LABELS[act],
            "draft": draft,
            "fields": _fields(act, values, error.fields if error else {}),
            "reason": reason,
            "reason_label": REASON_LABEL.get(act, gettext("理由或说明（不印入文书）")),
            "reason_required": act in REASON_REQUIRED,
            "reason_errors": (error.fields.get("reason", []) if error else []),
            "editable": editable,
            "buttons": buttons,
            "may_return": draft is not None
            and draft_may(draft=draft, step="return", actor=user) is None,
            "note": note,
            "note_errors": (error.fields.get("note", []) if error else []),
            "error": error,
            "missing": missing or [],
            "history": history,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_editor(request: HttpRequest, petition_id: int, action: str) -> HttpResponse:
    act = _action(action)
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    draft = draft_open(petition_id=petition.pk, action=act)
    if draft is None and not _may_create(request.user, petition, act):
        raise Forbidden(gettext("该信访事项不在本机关办理，或您的角色不能起草文书"))
    if draft is None and act not in available_actions(
        State(petition.state), petition_context(petition)
    ):
        raise ApplicationError(
            gettext("该信访事项现在不能“%(action)s”（第三十一条至第三十六条）")
            % {"action": tr_action(ACTION_LABELS[act])},
            status=409,
        )
    if draft is not None and draft.organ_id != request.user.organ_id:  # type: ignore[union-attr]
        raise Forbidden(gettext("只有起草机关的工作人员可以查看该草稿"))
    if request.method != "POST":
        return _render(request, petition, act, draft)
    return _post(request, petition, act, draft)


def _post(request: HttpRequest, petition: Any, act: Action, draft: Draft | None) -> HttpResponse:
    post = request.POST
    step = post.get("step", "")
    if step not in BUTTONS and step != "return":
        step = "save"
    values = {n: str(post.get(n, "")) for n in DRAFT_FIELDS[act]}
    reason = str(post.get("reason", ""))
    note = str(post.get("note", ""))
    posted_id = _int(post.get("draft"))
    version = _int(post.get("version"))
    editor_url = reverse("web:draft_editor", args=[petition.pk, act.value])
    if draft is not None and posted_id != draft.pk:
        version = -1  # the form was for another (or no) draft: never overwrite this one unseen
    editing = step in _SAVES_FIRST and any(
        b["step"] == "save" for b in _buttons(request.user, petition, act, draft)
    )
    user = request.user
    # The site's one-time token (core.once_forms) makes a refresh or a second click land on the
    # first answer. The text is saved first, in its own transaction: a step refused after it
    # (an incomplete submission, a signature the law refuses) rolls back only itself, so the
    # text stays saved as a draft as well as on the page shown again.
    try:
        if editing:
            draft = draft_save(
                petition_id=petition.pk,
                action=act,
                actor=user,  # type: ignore[arg-type]
                data=values,
                reason=reason,
                draft_id=draft.pk if draft else None,
                version=version,
            )
        if step == "approve" and act == Action.ISSUE_OPINION and draft is not None:
            # Art. 32: an opinion with parts missing is signed only once the head acknowledges.
            missing = opinion_missing(petition=petition, post=draft.data)
            if missing and not opinion_acknowledged(post):
                raise _Missing(missing)
        url, done = _take(step, draft, user, note, petition, act, editor_url)
    except ApplicationError as e:
        current = draft_open(petition_id=petition.pk, action=act)
        return _render(
            request,
            petition,
            act,
            current,
            values=values if editing or step == "save" else None,
            reason=reason if editing or step == "save" else None,
            error=e,
            note=note,
            status=e.status,
            missing=getattr(e, "missing", None),
        )
    messages.success(request, done)
    return redirect(url)


def opinion_gaps_page(request: HttpRequest, petition: Any, missing: list) -> HttpResponse:
    """A POST of the opinion step straight to ``/act/issue_opinion/`` (a bookmark, an old tab, a
    script) that leaves parts of Art. 32 unstated: the opinion editor, with the gaps named and
    every word typed kept, instead of a petition page without the form (issue 12). Nothing is
    saved until the signer presses one of the editor's buttons; the form posts to the editor."""
    act = Action.ISSUE_OPINION
    draft = draft_open(petition_id=petition.pk, action=act)
    post = request.POST
    # a draft this user may not change (one submitted for signing) is shown as it stands: the
    # signature applies to its text, never to words shown beside it
    editable = any(b["step"] == "save" for b in _buttons(request.user, petition, act, draft))
    return _render(
        request,
        petition,
        act,
        draft,
        values={n: str(post.get(n, ""))[:20000] for n in DRAFT_FIELDS[act]} if editable else None,
        reason=str(post.get("reason", ""))[:20000] if editable else None,
        error=_Missing(missing),
        missing=missing,
        status=400,
    )


class _Missing(ApplicationError):
    def __init__(self, missing: list) -> None:
        super().__init__(
            gettext(
                "处理意见书尚未写明第三十二条要求的全部内容：请补充，"
                "或勾选“已知悉以上缺项，仍然出具”后再签发。"
            )
        )
        self.missing = missing


def _take(
    step: str, draft: Draft | None, user: Any, note: str, petition: Any, act: Action, url: str
) -> tuple[str, str]:
    """Take ``step`` on the (saved) draft: where to go next and what to say."""
    if draft is None:
        raise ApplicationError(gettext("请先保存草稿"), status=409)
    v = draft.version
    if step == "save":
        return url, gettext("草稿已保存（第 %(v)s 稿）") % {"v": v}
    if step == "preview":
        return reverse("web:draft_preview", args=[petition.pk, act.value]), gettext("草稿已保存")
    if step == "submit":
        draft_submit(draft_id=draft.pk, actor=user, version=v)
        return url, gettext("已报送负责人签发")
    if step == "approve":
        draft_approve(draft_id=draft.pk, actor=user, version=v)
        label = tr_action(ACTION_LABELS[act])
        return reverse("web:petition", args=[petition.pk]), gettext("已签发：%(a)s") % {"a": label}
    if step == "return":
        draft_return(draft_id=draft.pk, actor=user, note=note, version=v)
        return url, gettext("已退回承办人修改")
    if step == "withdraw":
        draft_withdraw(draft_id=draft.pk, actor=user, version=v)
        return url, gettext("已撤回，可以继续修改")
    draft_discard(draft_id=draft.pk, actor=user, version=v)
    return reverse("web:petition", args=[petition.pk]), gettext("草稿已撤销")


@login_required
def draft_preview_page(request: HttpRequest, petition_id: int, action: str) -> HttpResponse:
    """The saved draft printed as the document it will be once signed (not yet issued)."""
    act = _action(action)
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    draft = draft_open(petition_id=petition.pk, action=act)
    if draft is None or draft.organ_id != request.user.organ_id:  # type: ignore[union-attr]
        raise Http404
    parties = [
        (x["role"], x["name"]) for x in parties_for_user(user=request.user, petition=petition)
    ]  # type: ignore[arg-type]
    doc = draft_preview(
        draft_data=draft.data,
        reason=draft.reason,
        action=act,
        petition=petition,
        organ=draft.organ,
        parties=parties,
    )
    return render(
        request,
        "web/draft_preview.html",
        {
            "doc": doc,
            "draft": draft,
            "back_url": reverse("web:draft_editor", args=[petition.pk, act.value]),
        },
    )


def draft_links(*, user: Any, petition: Any, actions: list[str]) -> list[dict]:
    """For the petition page: a link to the editor of each signing step the law allows now,
    with where its draft stands (issue 12: both the handler and the head see it)."""
    out = []
    wanted = list(dict.fromkeys(a for a in actions if Action(a) in DRAFTABLE))
    if not wanted:
        return []
    open_drafts = {
        x.action: x
        for x in Draft.objects.filter(
            petition_id=petition.pk, action__in=wanted, status__in=OPEN_DRAFT
        )
    }
    for a in wanted:
        act = Action(a)
        draft = open_drafts.get(a)
        if draft is None and not _may_create(user, petition, act):
            continue
        out.append(
            {
                "action": a,
                "label": ACTION_LABELS[act],
                "url": reverse("web:draft_editor", args=[petition.pk, a]),
                "draft": draft,
                "steps": [
                    s
                    for s in DRAFT_STEPS
                    if draft and draft_may(draft=draft, step=s, actor=user) is None
                ],
            }
        )
    return out


def draft_timeline_items(*, petition: Any, user: Any) -> list[Any]:
    """The steps of the petition's drafts on its timeline, for the staff of the drafting organ
    (the organ's own papers): who wrote, submitted, returned (with the note) and signed."""
    from xinfang.petitions.extensions import TimelineItem, present

    if present(petition, "drafts") is False:
        return []  # no draft at all (the page's presence query)
    organ_id = getattr(user, "organ_id", None)
    out = []
    for h in draft_timeline(petition_id=petition.pk):
        d = h["draft"]
        if d.organ_id != organ_id or h["kind"] == "save":
            continue
        out.append(
            TimelineItem(
                at=h["at"],
                # translated here (the page's |tr leaves a composed label as it is)
                label=gettext("%(action)s：%(step)s")
                % {
                    "action": tr_action(ACTION_LABELS[Action(d.action)]),
                    "step": gettext(h["label"]),
                },
                text=h["note"],
                actor=h["actor"],
                url=reverse("web:draft_editor", args=[petition.pk, d.action])
                if d.status in ("draft", "submitted", "returned")
                else "",
            )
        )
    return out
