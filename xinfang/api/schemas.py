"""The request and response schemas of the API, and the error body every operation may answer with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from xinfang.core.dates import BadDay, DayOutOfRange, day_of


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` (``core.dates.day_of``, 1900-2999): pydantic alone reads ``0`` as
    1970-01-01 (a Unix time; issue 11), and 9999-12-31 has no next day to end a range."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return day_of(value)
        except DayOutOfRange:
            raise ValueError(DAY_OUT_OF_RANGE) from None
        except BadDay:
            pass
    raise ValueError(DAY_FORMAT)


#: What ``_iso_date`` raises; the API's validation handler words them in the request's language
#: (``api._validation_message``): out of range is not a format error (fixui item 4).
DAY_FORMAT, DAY_OUT_OF_RANGE = "day_format", "day_out_of_range"


IsoDate = Annotated[date, BeforeValidator(_iso_date)]  # a date parameter: ISO 8601 only


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LoginIn(Schema):
    username: str
    password: str
    name: str = ""
    otp_token: str = Field("", description="the current TOTP code; required once the user has enrolled a device")


class TokenOut(Schema):
    token: str


class PartyIn(Schema):
    role: str = Field(..., description="petitioner | representative | agent")
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_organisation: bool = False


class AttachmentIn(Schema):
    name: str
    content_base64: str


class PetitionIn(Schema):
    channel: str = Field(..., description="online | letter | visit | phone | fax | hotline")
    title: str
    content: str
    region_code: str = Field(..., description="GB/T 2260 code of the place of the matter")
    received_at: datetime | None = Field(None, description="real time of receipt; default now")
    category: str = Field("", description="suggestion | accusation | appeal")
    route: int | None = Field(None, description="Art. 31 route 1–6 (appeal only)")
    accused_organ_id: int | None = None
    accused_staff_ids: list[int] = Field([], description="staff named in an accusation (accusation only)")
    accused_persons: str = Field("", description="people named who are not staff (accusation only)")
    is_collective: bool = False
    head_count: int = 1
    is_anonymous: bool = False
    confidential: bool = False
    parties: list[PartyIn] = []
    attachments: list[AttachmentIn] = []
    repeat_of_id: int | None = None


class RegisteredOut(Schema):
    id: int
    tracking_code: str
    query_password: str = Field(..., description="shown once; give it to the petitioner")
    state: str


class PetitionRow(Schema):
    id: int
    tracking_code: str
    title: str
    state: str
    state_label: str
    category: str
    channel: str
    received_at: datetime
    next_due: date | None
    due_status: str
    next_due_provisional: bool = Field(
        False, description="next_due is counted over a provisional holiday year (ADR 0012)"
    )


class SearchIn(Schema):
    """A search sent in the body: a name, phone or identity number never travels in a URL,
    where access logs, proxies and caches keep it (issue 11)."""

    q: str = Field("", max_length=500)
    by: str = Field(
        "text",
        max_length=20,
        description="auto | text | code | phone | id_number | name (all but text, code: view_identity)",
    )
    state: str | None = Field(None, max_length=40)
    category: str | None = Field(None, max_length=40)
    received_from: IsoDate | None = None
    received_to: IsoDate | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class PageOut(Schema):
    items: list[PetitionRow]
    next_cursor: str | None


class PartyOut(Schema):
    role: str
    name: str
    phone: str
    address: str


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str | None
    organ: str | None
    occurred_at: datetime
    recorded_at: datetime
    reason: str
    data: dict[str, Any]


class DeadlineOut(Schema):
    code: str
    step: str
    legal_basis: str
    kind: str
    owner: str
    start: date
    due: date
    status: str
    days_left: int
    extension_days: int
    paused_days: int
    closed_on: date | None
    provisional: bool = Field(
        False,
        description="The count crossed a year whose holidays are provisional (no State Council "
        "notice confirmed, not in chinese_calendar): the due date may still move (ADR 0012).",
    )
    provisional_years: list[int] = Field(
        default_factory=list, description="Those provisional years."
    )


class NamedStaffOut(Schema):
    id: int
    name: str


class PetitionOut(Schema):
    id: int
    tracking_code: str
    title: str
    content: str
    channel: str
    received_at: datetime
    category: str
    route: int | None
    region_code: str
    region: str
    state: str
    state_label: str
    current_organ: str
    handling_organ: str | None
    is_collective: bool
    head_count: int
    is_anonymous: bool
    confidential: bool
    accused_staff: list[NamedStaffOut] = []
    accused_persons: str = ""
    extended: bool
    in_hearing: bool
    parties: list[PartyOut]
    timeline: list[EventOut]
    deadlines: list[DeadlineOut]
    available_actions: list[str]


class ActionIn(Schema):
    at: date | None = Field(None, description="real date of the step (not in the future, not before the previous step)")
    reason: str = ""
    data: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Per action: transfer/assign/refer_*: to_organ_id (assign: report_due); extend: days (1–30); "
            "issue_opinion: outcome (support|explain|not_support), request, facts, decision, legal_basis; "
            "decide_review: outcome (uphold|vary|redo) and the same fields (redo_days); decide_re_review: "
            "request, facts, decision, legal_basis; record_delivery: method (in_person|post|electronic|other), "
            "signed (true|false); settle: agreement (mediation|settlement), summary; redirect: proper_organ; "
            "not_accept: ground (duplicate_higher|same_facts_after_re_review|other), confirmed; "
            "acknowledge/start_handling: category, route."
        ),
    )


class AccusedIn(Schema):
    staff_ids: list[int] = Field([], description="the staff the accusation names (replaces the list)")
    persons: str = Field("", description="people named who are not staff")


class AccusedOut(Schema):
    id: int
    accused_staff_ids: list[int]
    accused_persons: str


class CountOut(Schema):
    category: str
    category_label: str
    state: str
    state_label: str
    count: int


class RegionCountOut(Schema):
    region_code: str
    region: str
    count: int


class SummaryOut(Schema):
    total: int
    by_category_state: list[CountOut]
    by_region: list[RegionCountOut]


class OrganOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    region_code: str
    parent_id: int | None
