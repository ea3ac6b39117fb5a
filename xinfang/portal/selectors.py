"""Reads for the public portal.

The portal is the one place that finds a petition by its tracking code: only with the query
password (checked in constant time against the stored HMAC), and a wrong code and a wrong
password look exactly alike. Everything the portal shows a petitioner goes through
:func:`petition_public_view`, which leaves out internal steps (objections between organs,
completion reports to the assigning office) and staff names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinfang.core import clock, ids
from xinfang.directory.models import Level, Organ, Region
from xinfang.directory.selectors import petition_office_for as petition_office_for
from xinfang.directory.selectors import region_chain as region_chain
from xinfang.documents.selectors import DELIVERY_METHODS, KINDS, Document, document_list
from xinfang.feedback.selectors import StageWindow, evaluation_windows
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import DeadlineView, deadlines_of
from xinfang.petitions.workflow import ACTION_LABELS, STATE_LABELS, Action, State

_NO_SECRET = ids.hash_query_password("-", "-", "portal")  # compared against when no code matches


def petition_find_by_code(*, code: str, password: str) -> Petition | None:
    """The petition with this tracking code and query password, or None (which of the two was
    wrong is not told)."""
    code = ids.normalize_tracking_code(code or "")
    password = "".join(ch for ch in (password or "") if ch.isdigit())
    petition = None
    if len(code) == ids.CODE_LENGTH and all(ch in ids.ALPHABET for ch in code):
        petition = (
            Petition.objects.filter(tracking_code=code)
            .only("id", "tracking_code", "query_secret")
            .first()
        )
    stored = petition.query_secret if petition is not None else _NO_SECRET
    ok = ids.check_query_password(code, password, settings.SECRET_KEY, stored)
    return petition if petition is not None and ok else None


def petition_for_petitioner(*, petition_id: int) -> Petition | None:
    """A petition the petitioner has already opened with its code and password (the caller
    holds that proof in the session)."""
    return Petition.objects.filter(pk=petition_id).select_related("current_organ", "region").first()


# --- submission ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionOption:
    code: str
    name: str
    depth: int


def regions_for_submission() -> list[RegionOption]:
    """Province, city and county divisions, in code order (the tree reads top-down)."""
    depth = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2, Level.NATIONAL: 0}
    rows = (
        Region.objects.filter(level__in=list(depth))
        .order_by("code")
        .values_list("code", "name", "level")
    )
    return [RegionOption(c, n, depth[lv]) for c, n, lv in rows]


def organs_for_accusation(*, region_code: str) -> list[Organ]:
    """Organs of the region and its ancestors that a petitioner may name as accused, petition
    offices included: an accusation against an office goes to the next-higher office
    (``petition_office_for``; Art. 30 para 3; issue 11, leak 7)."""
    codes = [r.code for r in region_chain(region_code)]
    return list(
        Organ.objects.filter(region_id__in=codes, is_active=True)
        .order_by("path")
        .only("id", "name", "path")[:300]
    )


# --- what a petitioner sees ---------------------------------------------------------------------

#: Steps between organs that are not the petitioner's business, and would only confuse.
#: Steps the petitioner is not shown; "flag" records the organs' own cross-cutting facts
#: (supervised, leader in charge …, petitions.flags), which are not steps of the procedure.
#: "take_back": a hand-over to another installation that never arrived, routed here again
#: (issue 20): the petitioner sees the petition being routed, not why.
_INTERNAL = frozenset(
    {"object", "objection_accept", "objection_reject", "report_result", "flag", "take_back"}
)
#: Steps whose reason is addressed to the petitioner (the rest stay internal).
_REASON_SHOWN = frozenset(
    {
        "extend",
        "not_accept",
        "redirect",
        "channel",
        "reply",
        "request_review",
        "request_re_review",
        "reopen_window",
    }
)
#: Steps that name the organ the petition went to.
_GOES_TO = frozenset(
    {
        "transfer",
        "assign",
        "refer_legal",
        "refer_discipline",
        "acknowledge",
        "request_review",
        "request_re_review",
    }
)
_PUBLIC_STATE = {
    State.OBJECTED: "转送办理中",
    State.ROUTING: "登记分流中",
    # a registration voided as a duplicate or a mistake (issue 12): said plainly
    State.VOIDED: "已作废（重复或误登记，不另行办理；如有疑问请联系登记机关）",
}


@dataclass(frozen=True)
class PublicStep:
    on: date
    label: str
    organ: str
    note: str


@dataclass(frozen=True)
class PublicView:
    petition: Petition
    code: str
    state_label: str
    is_final: bool
    steps: list[PublicStep]
    documents: list[Document]
    handling_due: date | None  # T6, when it runs
    review_window: date | None  # last day to request review (T7), when open
    re_review_window: date | None  # last day to request re-review (T9), when open
    can_request_review: bool
    can_request_re_review: bool
    evaluations: list[StageWindow]
    # Each date above counted over a year whose holidays are not yet arranged (ADR 0012).
    handling_due_provisional: bool = False
    review_window_provisional: bool = False
    re_review_window_provisional: bool = False
    # A new petition: when the written notice is due (T2/T3, Art. 23) or, before routing, when
    # the petition office must route it (T1, Art. 22); none for an anonymous petition (Art. 23
    # para 2: no notice without a name or address).
    notice_due: date | None = None
    routing_due: date | None = None
    attachment_names: tuple[str, ...] = ()  # what the petitioner sent with the petition


def _label(action: str) -> str:
    if action == "receive":
        return _("收到")
    if action == "record_delivery":
        return _("送达文书")
    return _(ACTION_LABELS[Action(action)])


def petition_public_view(*, petition: Petition, today: date | None = None) -> PublicView:
    """Status, dated steps, documents, remedy windows, evaluation windows and the names of the
    attachments, in five queries."""
    today = today or clock.today()
    events = list(petition.events.select_related("organ", "actor_organ").order_by("seq"))
    steps = []
    handed_over: int | None = None  # the step of the latest hand-over to another installation
    for e in events:
        if e.action == "take_back" and e.organ_id:
            # routed here again (issue 20; walker #18): the hand-over is withdrawn, never
            # received there, and the petition is back with the office, no reason given
            if handed_over is not None:
                s = steps[handed_over]
                steps[handed_over] = replace(s, note=_("已撤回，对方未接收"))
            steps.append(
                PublicStep(clock.local_date(e.occurred_at), _("重新分流"), e.organ.name, "")
            )
            continue
        if e.action in _INTERNAL:
            continue
        note = e.reason if e.action in _REASON_SHOWN else ""
        data = e.data or {}
        if e.action == "extend" and data.get("days"):
            note = ngettext("延长 %(days)s 日。", "延长 %(days)s 日。", int(data["days"])) % {
                "days": data["days"]
            } + (f" {note}" if note else "")
        if e.action == "record_delivery":
            kind = KINDS.get(str(data.get("document", "")))
            method = DELIVERY_METHODS.get(str(data.get("method", "")), "")
            note = " ".join(
                x for x in (_(kind.title) if kind else "", _(method) if method else "") if x
            )
        if e.action == "receive":
            note = _(petition.get_channel_display())
        organ = e.organ.name if e.organ_id and e.action in _GOES_TO else ""
        if e.action in ("transfer", "assign") and data.get("to_external"):
            handed_over = len(steps)
        steps.append(PublicStep(clock.local_date(e.occurred_at), _label(e.action), organ, note))
    deadlines = deadlines_of(petition, today)

    def _running(code: str) -> DeadlineView | None:
        due = [d for d in deadlines if d.code == code and d.status.value in ("running", "due_soon")]
        return due[-1] if due else None

    def _open(code: str) -> date | None:
        d = _running(code)
        return d.due if d else None

    def _provisional(*codes: str) -> bool:
        d = next((d for c in codes if (d := _running(c)) is not None), None)
        return d is not None and d.provisional

    def _expired(code: str) -> bool:
        """The latest window of ``code`` ran out (a reopened one replaces a lapsed one)."""
        latest = [d for d in deadlines if d.code == code]
        return bool(latest) and latest[-1].status.value == "expired"

    state = State(petition.state)
    label = _PUBLIC_STATE.get(state, STATE_LABELS[state])
    return PublicView(
        petition=petition,
        code=ids.format_tracking_code(petition.tracking_code),
        state_label=_(label),
        is_final=not petition.is_open,
        steps=steps,
        documents=document_list(petition=petition, events=events),
        handling_due=_open("T6") or _open("T8") or _open("T10"),
        review_window=_open("T7"),
        re_review_window=_open("T9"),
        can_request_review=state == State.OPINION_ISSUED and not _expired("T7"),
        can_request_re_review=state == State.REVIEW_DECIDED and not _expired("T9"),
        evaluations=evaluation_windows(petition=petition, events=events, today=today),
        handling_due_provisional=_provisional("T6", "T8", "T10"),
        review_window_provisional=_provisional("T7"),
        re_review_window_provisional=_provisional("T9"),
        notice_due=None if petition.is_anonymous else (_open("T2") or _open("T3")),
        routing_due=None if petition.is_anonymous else (_open("T1a") or _open("T1")),
        attachment_names=tuple(
            petition.attachments.order_by("id").values_list("original_name", flat=True)
        ),
    )
