"""A template of ``bench_seed`` moved by whole weeks, computed once for every copy that moves it
by the same weeks (issue 14: at 10^6 copies of 200 templates over five years each pair
(template, weeks) recurs ~10 times, at 10^7 ~100 times).

What depends only on the pair is computed here once: the moved events and audit records, the
deadlines folded by ``deadlines.tracker`` (the fold reads only the petition's facts and the
events' actions, days, organs and data, all the template's, moved: the same fold every time,
``tests/test_bench_seed.py`` checks it against a fold per copy), the document registers, and the
JSON text the audit HMACs and the seal's digest cover, cut into the pieces around what each copy
changes (its id, tracking code, text, people, answers, the chain's previous hash).

The pieces are joined into exactly the text ``audit.chain.record_hash`` and
``audit.seals.row_digest`` serialise (``json.dumps`` of a list is its items' ``json.dumps``
joined by commas with these separators), so the hashes are those the services would write:
``audit_verify`` recomputes them from the rows and the test compares them with the reference
functions.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings

from xinfang.audit.chain import _utc, hashed_data
from xinfang.audit.seals import _seal_key, seal_of
from xinfang.audit.services import seal_split
from xinfang.core import clock
from xinfang.documents.selectors import ACTION_KIND, KINDS
from xinfang.documents.services import organ_abbreviation
from xinfang.petitions.seal import EVENT_FIELDS, PETITION_FIELDS, SEALER, _canon, _row

_dumps = functools.partial(
    json.dumps, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)
#: Where a copy's own values go in the petition row of the digest.
VARYING = ("tracking_code", "title", "content")
_P_AT = {f: i for i, f in enumerate(PETITION_FIELDS)}
_REASON = EVENT_FIELDS.index("reason")
_DATA = EVENT_FIELDS.index("data")
_DIGEST_MARK = "@@bench-seal-digest@@"
ANSWERS = {"reply": "handling", "issue_opinion": "handling", "settle": "handling"}
REVIEWS = {"decide_review": "review", "decide_re_review": "re_review"}
DATE_KEYS = ("received_at", "registered_at", "last_event_at", "created_at")


def shift_value(v: Any, d: timedelta) -> Any:
    """A date or datetime written as ISO text inside JSON, moved by ``d``; anything else as is."""
    t = type(v)
    if t is int or v is None or t is bool:
        return v
    if t is str and 10 <= len(v) <= 32 and v[:2] in ("19", "20") and v[4:5] == "-":
        try:
            if len(v) == 10:
                return (date.fromisoformat(v) + d).isoformat()
            return (datetime.fromisoformat(v) + d).isoformat()
        except ValueError:
            return v
    if t is dict:
        return {k: shift_value(x, d) for k, x in v.items()}
    if t is list:
        return [shift_value(x, d) for x in v]
    return v


def next_due(deadlines: list[tuple], organ_id: int, is_open: bool) -> date | None:  # type: ignore[type-arg]
    dates = [
        row[3] for row in deadlines if row[4] == "open" and (row[1] == organ_id or row[1] is None)
    ]
    return min(dates) if dates else None


class AuditPiece:
    """One audit record of the template, moved: its row values and its HMAC text around the
    copy's sequence number, object id, seal digest and previous hash."""

    __slots__ = ("at", "kind", "actor_id", "actor_name", "organ_id", "ip", "data_json", "seal",
                 "mid", "body_data", "seal_part", "placeholder")  # fmt: skip

    def __init__(
        self, *, at, kind, actor_id, actor_name, organ_id, ip, data, seal_part, placeholder
    ):  # type: ignore[no-untyped-def]
        self.at, self.kind, self.actor_id = at, kind, actor_id
        self.actor_name, self.organ_id, self.ip = actor_name, organ_id, ip
        self.placeholder = placeholder  # an earlier seal of the copy: a placeholder digest
        self.seal_part = seal_part  # the digest is the copy's own (``None``: not a seal)
        mid = (_utc(at), kind, actor_id, actor_name, organ_id, ip, "petition")
        self.mid = ",".join(_dumps(x) for x in mid)
        if seal_part:
            # ``audit_append``: the digest in the ``seal`` column, ``data`` without it; the
            # HMAC covers ``data`` with the digest in hex (``hashed_data``)
            stored, _seal = seal_split({**data, "digest": "0" * 64})
            self.data_json = _dumps(stored)
            text = _dumps({**stored, "digest": _DIGEST_MARK})
            assert text.count(f'"{_DIGEST_MARK}"') == 1
            self.body_data = tuple(text.split(f'"{_DIGEST_MARK}"'))
            self.seal = None
        else:
            stored, seal = seal_split(data)
            self.data_json = _dumps(stored)
            self.body_data = (_dumps(hashed_data(stored, seal)),)
            self.seal = seal


class Shifted:
    """Template ``t`` moved by ``weeks`` weeks (see the module text)."""

    def __init__(self, t: Any, weeks: int, organs: dict[int, Any]) -> None:
        d = timedelta(weeks=weeks)
        p = dict(t.p)
        for k in DATE_KEYS:
            if p[k] is not None:
                p[k] = p[k] + d
        p["repeat_of_id"] = None
        self.p = p
        self.p_vals = tuple(p[f] for f in PETITION_FIELDS)
        self.p_json = [_dumps(_canon(v)) for v in self.p_vals]
        events = []
        for e in t.events:
            ev = dict(e)
            ev.update(
                occurred_at=e["occurred_at"] + d,
                recorded_at=e["recorded_at"] + d,
                data=shift_value(e["data"] or {}, d),
            )
            events.append(ev)
        self.events = events
        self.ev_vals = [tuple(ev[f] for f in EVENT_FIELDS) for ev in events]
        # the rows as written: ``data`` as its JSON text (``write_rows(raw=…)``)
        self.ev_rows = [(*v[:_DATA], _dumps(v[_DATA]), *v[_DATA + 1 :]) for v in self.ev_vals]
        self.ev_answer = [bool(ev["reason"]) and ev["action"] in ANSWERS for ev in events]
        self.ev_json = [_dumps(_row(v)) for v in self.ev_vals]
        self.deadlines = fold(p, events, organs)
        self.dl_json = _dumps(sorted((_row(r) for r in self.deadlines), key=repr))
        self.next_due = next_due(self.deadlines, p["current_organ_id"], p["is_open"])
        self.numbered = [
            (i, got) for i, ev in enumerate(events) if ev["seq"] in t.numbered
            for got in [_register(ev, organs)] if got is not None
        ]  # fmt: skip
        self.rated = [
            (ANSWERS.get(ev["action"]) or REVIEWS.get(ev["action"]), ev["organ_id"], ev["occurred_at"])
            for ev in events
            if (ANSWERS.get(ev["action"]) or REVIEWS.get(ev["action"])) and ev["organ_id"] is not None
        ]  # fmt: skip
        self.audit = self._audit(t, d, p)

    @staticmethod
    def _audit(t: Any, d: timedelta, p: dict[str, Any]) -> list[AuditPiece]:
        seals = [
            r for r in t.audit if seal_of("petition", r["kind"], r["data"], r["seal"]) is not None
        ]
        last_seal = seals[-1] if seals else None
        out = []
        for r in t.audit:
            data = shift_value(r["data"] or {}, d)
            is_seal = any(r is s for s in seals)
            if is_seal:
                v = SEALER.version if r is last_seal else data.get("v", 1)
                data = {**data, "v": v}
            out.append(
                AuditPiece(
                    at=r["at"] + d,
                    kind=r["kind"],
                    actor_id=r["actor_id"],
                    actor_name=r["actor_name"],
                    organ_id=r["organ_id"],
                    ip=r["ip"],
                    data=data,
                    seal_part=is_seal,
                    placeholder=is_seal and r is not last_seal,
                )  # fmt: skip
            )
        if last_seal is None:
            out.append(
                AuditPiece(
                    at=p["last_event_at"],
                    kind="petition.seal",
                    actor_id=None,
                    actor_name="",
                    organ_id=None,
                    ip="",
                    data={"v": SEALER.version},
                    seal_part=True,
                    placeholder=False,
                )  # fmt: skip
            )
        return out

    def digest(self, tracking_code: str, title: str, content: str, reasons: dict[int, str],
               accused: list[int], parties_json: str) -> str:  # fmt: skip
        """``petitions.seal`` digest of the copy (``bench_copy._digest``, from pieces)."""
        pj = list(self.p_json)
        pj[_P_AT["tracking_code"]] = _dumps(tracking_code)
        pj[_P_AT["title"]] = _dumps(title)
        pj[_P_AT["content"]] = _dumps(content)
        if reasons:
            evs = list(self.ev_json)
            for i, reason in reasons.items():
                row = _row(self.ev_vals[i])
                row[_REASON] = reason
                evs[i] = _dumps(row)
        else:
            evs = self.ev_json
        body = (
            f'["petition",{{"accused_staff":{_dumps(sorted(accused))},"attachments":[],'
            f'"deadlines":{self.dl_json},"events":[{",".join(evs)}],"parties":{parties_json},'
            f'"petition":[{",".join(pj)}]}}]'
        )
        return hmac.new(seal_key(), body.encode(), hashlib.sha256).hexdigest()


def seal_key() -> bytes:
    return _seal_key(settings.XINFANG_AUDIT_KEY)


def fold(p: dict[str, Any], events: list[dict[str, Any]], organs: dict[int, Any]) -> list[tuple]:  # type: ignore[type-arg]
    """The copy's deadlines: ``deadlines.tracker`` over the calendar in force, as the services
    fold them (``petitions.services.deadlines.deadline_facts``), as rows."""
    from xinfang.petitions.services.deadlines import deadline_facts

    org = organs[p["registering_organ_id"]]
    facts = deadline_facts(
        SimpleNamespace(
            registering_organ=SimpleNamespace(kind=org.kind),
            is_anonymous=p["is_anonymous"],
            category=p["category"],
            route=p["route"],
        ),
        [SimpleNamespace(**e) for e in events],
    )
    return [
        (
            str(f.code),
            f.owner_organ_id,
            f.start,
            f.due,
            str(f.outcome),
            f.closed_on,
            f.extension_days,
            f.paused_days,
            f.paused_since is not None,
            f.provisional,
        )  # fmt: skip
        for f in facts
    ]


def _register(
    ev: dict[str, Any], organs: dict[int, Any]
) -> tuple[tuple[int, str, int], str] | None:
    """The register (organ, kind, year) of an event's document and its number's prefix."""
    kind_code = ACTION_KIND.get(ev["action"])
    organ_id = ev["actor_organ_id"] or (ev["data"] or {}).get("from_organ_id") or ev["organ_id"]
    if kind_code is None or organ_id is None:
        return None
    code = KINDS[kind_code].number_code
    year = clock.local_date(ev["occurred_at"]).year
    return (organ_id, code, year), f"{organ_abbreviation(organs[organ_id])}{code}〔{year}〕"


class Hasher:
    """``audit.chain.record_hash`` of a record from its pieces (one HMAC key set-up)."""

    def __init__(self) -> None:
        self._mac = hmac.new(settings.XINFANG_AUDIT_KEY.encode(), digestmod=hashlib.sha256)

    def record(
        self, seq: int, piece: AuditPiece, oid_json: str, digest: str | None, prev: str
    ) -> bytes:
        if digest is None:
            data = piece.body_data[0]
        else:
            data = f'{piece.body_data[0]}"{digest}"{piece.body_data[1]}'
        m = self._mac.copy()
        m.update(f'[{seq},{piece.mid},{oid_json},{data},"{prev}"]'.encode())
        return m.digest()
