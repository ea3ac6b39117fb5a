"""The copies of ``bench_seed`` (see its module text): one template's history moved in time,
with its own text, people, deadlines, document numbers, evaluations, search words and audit
records, row by row for the bulk writer."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from xinfang.audit.seals import row_digest, seal_of
from xinfang.core import clock, ids
from xinfang.core.crypto import encrypt, id_digest, phone_digest
from xinfang.deadlines.models import Deadline
from xinfang.demo.bench_write import Chains, Ids, write_rows
from xinfang.documents.models import DocumentCounter, DocumentNumber
from xinfang.documents.selectors import ACTION_KIND, KINDS
from xinfang.documents.services import organ_abbreviation
from xinfang.feedback.models import Evaluation
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.seal import DEADLINE_FIELDS, EVENT_FIELDS, PETITION_FIELDS, SEALER, _row
from xinfang.workbench.models import PetitionTerm, PetitionWords
from xinfang.workbench.words import uses_tsvector

PARTY_COLUMNS = (
    "id", "petition_id", "role", "name", "id_number", "phone", "id_digest", "phone_digest",
    "address", "is_organisation", "anonymised_at",
)  # fmt: skip
OPEN_WEEKS_BACK = 4  # an open copy is moved at most this many weeks back (it stays current)
_ANSWERS = {"reply": "handling", "issue_opinion": "handling", "settle": "handling"}
_REVIEWS = {"decide_review": "review", "decide_re_review": "re_review"}


class _Template:
    """One petition as stored, with everything a copy repeats."""

    def __init__(self, p: dict[str, Any]) -> None:
        self.p = p
        self.events: list[dict[str, Any]] = []
        self.parties: list[dict[str, Any]] = []
        self.accused: list[int] = []
        self.numbered: set[int] = set()  # seq of the events that have a 文号
        self.audit: list[dict[str, Any]] = []


class _Ctx:
    """What the copies of one process share: the ids it hands out, the chains it appends to
    (``chains``: the audit chains this job owns, all by default), the document registers.

    ``job`` of ``jobs``: each job numbers the documents of a register (organ, kind, year) in a
    stride of its own (job 0 of 2 the 1st, 3rd, 5th… after the numbers already given, job 1 the
    2nd, 4th…), so jobs never give the same 文号; with one job the numbers follow on."""

    def __init__(
        self,
        *,
        ids: Ids | None = None,
        chains: frozenset[int] | None = None,
        job: int = 0,
        jobs: int = 1,
        **kw: Any,
    ) -> None:
        self.__dict__.update(kw)
        self.ids = ids or Ids()
        self.chains = Chains(self.ids, owned=chains)
        self.counters: dict[tuple[int, str, int], int] = {
            (c.organ_id, c.code, c.year): c.last for c in DocumentCounter.objects.all()
        }
        self.counted = dict(self.counters)  # the registers as they were before the copies
        self.issued: dict[tuple[int, str, int], int] = {}  # numbers given by this job
        self.job, self.jobs = job, jobs
        self.now = clock.now()
        self._sealed: dict[tuple[str, str], tuple[str, str, str, str]] = {}

    def sealed(self, idn: str, phone: str) -> tuple[str, str, str, str]:
        """(id_number, phone) as stored: Fernet tokens under the current field key, and their
        blind indexes (core.crypto), computed once per person."""
        got = self._sealed.get((idn, phone))
        if got is None:
            got = self._sealed[(idn, phone)] = (
                encrypt(idn), encrypt(phone), id_digest(idn), phone_digest(phone),
            )  # fmt: skip
        return got


def _shift_value(v: Any, d: timedelta) -> Any:
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
        return {k: _shift_value(x, d) for k, x in v.items()}
    if t is list:
        return [_shift_value(x, d) for x in v]
    return v


class _Batch:
    """The rows of one batch of copies, table by table."""

    def __init__(self, ctx: _Ctx) -> None:
        self.c = ctx
        self.petitions: list[tuple] = []  # type: ignore[type-arg]
        self.events: list[tuple] = []  # type: ignore[type-arg]
        self.deadlines: list[tuple] = []  # type: ignore[type-arg]
        self.parties: list[tuple] = []  # type: ignore[type-arg]
        self.accused: list[tuple] = []  # type: ignore[type-arg]
        self.numbers: list[tuple] = []  # type: ignore[type-arg]
        self.evaluations: list[tuple] = []  # type: ignore[type-arg]
        self.terms: list[tuple] = []  # type: ignore[type-arg]
        self.vectors = uses_tsvector()  # one tsvector row per petition (ADR 0022)

    def _shift(self, t: _Template) -> timedelta:
        c, p = self.c, t.p
        start, last = p["received_at"], p["last_event_at"]
        if p["is_open"]:
            return timedelta(weeks=-c.rng.randint(0, OPEN_WEEKS_BACK))
        span = (last - start).days + 1
        earliest = c.today - timedelta(days=365 * c.years)
        latest = c.today - timedelta(days=span)
        target = earliest + timedelta(days=c.rng.randint(0, max(0, (latest - earliest).days)))
        weeks = (target - clock.local_date(start)).days // 7
        # never into the future
        while weeks > 0 and clock.local_date(last) + timedelta(weeks=weeks) > c.today:
            weeks -= 1
        return timedelta(weeks=weeks)

    def copy(self, t: _Template, pid: int) -> None:
        """Petition ``pid``: a copy of ``t``."""
        c, rng = self.c, self.c.rng
        d = self._shift(t)
        ti, title, content = c.pool.pick(rng)
        p = dict(t.p)
        for k in ("received_at", "registered_at", "last_event_at", "created_at"):
            if p[k] is not None:
                p[k] = p[k] + d
        p.update(
            id=pid,
            tracking_code=ids.new_tracking_code(),  # unguessable and unique, as registered
            title=title,
            content=content,
            repeat_of_id=None,
        )
        events = []
        first_event = c.ids.take(PetitionEvent, len(t.events))
        for i, e in enumerate(t.events):
            ev = dict(e)
            ev.update(
                id=first_event + i,
                petition_id=pid,
                occurred_at=e["occurred_at"] + d,
                recorded_at=e["recorded_at"] + d,
                data=_shift_value(e["data"] or {}, d),
            )
            if ev["reason"] and ev["action"] in _ANSWERS and c.pool.replies:
                ev["reason"] = rng.choice(c.pool.replies)
            events.append(ev)
        deadlines = self._deadlines(p, events)
        p["next_due"] = _next_due(deadlines, p["current_organ_id"], p["is_open"])
        parties = self._parties(t, pid)
        # the rows
        self.petitions.append(
            (pid, p["query_secret"], p["next_due"], *(p[f] for f in PETITION_FIELDS))
        )
        for ev in events:
            self.events.append((ev["id"], pid, *(ev[f] for f in EVENT_FIELDS)))
            if ev["seq"] in t.numbered:
                self._number(ev)
        self.deadlines.extend((pid, *row) for row in deadlines)
        self.parties.extend(stored for _plain, stored in parties)
        self.accused.extend((pid, uid) for uid in t.accused)
        if self.vectors:
            self.terms.append((pid, c.pool.tsvector(ti)))
        else:
            self.terms.extend((pid, w) for w in c.pool.terms(ti))
        self._evaluations(pid, events)
        self._audit(t, pid, d, p, events, deadlines, parties)

    def _deadlines(self, p: dict[str, Any], events: list[dict[str, Any]]) -> list[tuple]:  # type: ignore[type-arg]
        from xinfang.petitions.services.deadlines import deadline_facts

        org = self.c.organs[p["registering_organ_id"]]
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

    def _parties(self, t: _Template, pid: int) -> list[tuple]:  # type: ignore[type-arg]
        """The template's parties (roles, organisations, anonymous ones as they were), with
        people drawn from the crowd: (plain values for the seal, stored values for the row)."""
        rows = []
        first = self.c.ids.take(Party, len(t.parties))
        for i, tp in enumerate(t.parties):
            if tp["is_organisation"] or not tp["name"]:
                name, idn, phone, addr = tp["name"], tp["id_number"], tp["phone"], tp["address"]
            else:
                person = self.c.rng.choice(self.c.crowd)
                name = person.name
                idn = person.id_number if tp["id_number"] else ""
                phone = person.phone if tp["phone"] else ""
                addr = person.address if tp["address"] else ""
            plain = (
                first + i,
                tp["role"],
                name,
                idn,
                phone,
                addr,
                tp["is_organisation"],
                tp["anonymised_at"],
            )
            rows.append(
                (
                    plain,
                    (
                        first + i,
                        pid,
                        tp["role"],
                        name,
                        *self.c.sealed(idn, phone),
                        addr,
                        tp["is_organisation"],
                        tp["anonymised_at"],
                    ),
                )
            )
        return rows

    def _number(self, ev: dict[str, Any]) -> None:
        kind_code = ACTION_KIND.get(ev["action"])
        organ_id = ev["actor_organ_id"] or (ev["data"] or {}).get("from_organ_id") or ev["organ_id"]
        if kind_code is None or organ_id is None:
            return
        code = KINDS[kind_code].number_code
        year = clock.local_date(ev["occurred_at"]).year
        key = (organ_id, code, year)
        c = self.c
        k = c.issued[key] = c.issued.get(key, 0) + 1
        c.counters[key] = last = c.counted.get(key, 0) + c.job + 1 + (k - 1) * c.jobs
        abbr = organ_abbreviation(self.c.organs[organ_id])
        self.numbers.append((ev["id"], f"{abbr}{code}〔{year}〕{last}号"))

    def _evaluations(self, pid: int, events: list[dict[str, Any]]) -> None:
        """Regulation §8: the petitioner may rate each written answer once; about half do."""
        rng, seen = self.c.rng, set()
        for ev in events:
            stage = _ANSWERS.get(ev["action"]) or _REVIEWS.get(ev["action"])
            if stage is None or stage in seen or ev["organ_id"] is None or rng.random() > 0.5:
                continue
            at = ev["occurred_at"] + timedelta(days=rng.randint(2, 25), minutes=rng.randint(0, 600))
            if at > self.c.now:
                continue
            seen.add(stage)
            rating = rng.choices(
                ("satisfied", "basically_satisfied", "dissatisfied"), (66, 20, 14)
            )[0]
            self.evaluations.append(
                (self.c.ids.take(Evaluation), pid, stage, ev["organ_id"], rating, "", at)
            )

    def _audit(self, t, pid, d, p, events, deadlines, parties) -> None:  # type: ignore[no-untyped-def]
        ch, oid = self.c.chains, str(pid)
        # the seals: records of their own, or (ADR 0026) in the record of the step they end
        seals = [
            r for r in t.audit if seal_of("petition", r["kind"], r["data"], r["seal"]) is not None
        ]
        last_seal = seals[-1] if seals else None
        for r in t.audit:
            data = _shift_value(r["data"] or {}, d)
            if any(r is s for s in seals):
                if r is last_seal:
                    data = {
                        **data,
                        "digest": _digest(p, events, deadlines, parties, t.accused),
                        "v": SEALER.version,
                    }
                else:  # an earlier state of the copy is not kept: a placeholder of the same size
                    data = {
                        **data,
                        "digest": hashlib.sha256(f"bench:{pid}:{r['at']}".encode()).hexdigest(),
                        "v": data.get("v", 1),
                    }
            ch.add(
                kind=r["kind"], at=r["at"] + d, object_type="petition", object_id=oid, data=data,
                actor_id=r["actor_id"], actor_name=r["actor_name"], organ_id=r["organ_id"], ip=r["ip"],
            )  # fmt: skip
        if last_seal is None:
            ch.add(
                kind="petition.seal", at=p["last_event_at"], object_type="petition", object_id=oid,
                data={"digest": _digest(p, events, deadlines, parties, t.accused), "v": SEALER.version},
            )  # fmt: skip

    def write(self) -> dict[str, int]:
        c = self.c
        out = {
            "petitions": write_rows(
                Petition, ("id", "query_secret", "next_due", *PETITION_FIELDS), self.petitions
            ),
            "events": write_rows(PetitionEvent, ("id", "petition_id", *EVENT_FIELDS), self.events),
            "deadlines": write_rows(Deadline, ("petition_id", *DEADLINE_FIELDS), self.deadlines),
            "parties": write_rows(
                Party,
                PARTY_COLUMNS,
                self.parties,
                raw=frozenset(("id_number", "phone")),  # encrypted once per person (_Ctx.sealed)
            ),
            "documents": write_rows(DocumentNumber, ("event_id", "number"), self.numbers),
            "evaluations": write_rows(
                Evaluation,
                ("id", "petition_id", "stage", "organ_id", "rating", "comment", "created_at"),
                self.evaluations,
            ),
            "search_words": write_rows(PetitionWords, ("petition_id", "words"), self.terms)
            if self.vectors
            else write_rows(PetitionTerm, ("petition_id", "term"), self.terms),
        }
        if self.accused:
            out["accused_staff"] = write_rows(
                Petition.accused_staff.through, ("petition_id", "user_id"), self.accused
            )
        before = c.chains.count
        c.chains.flush()
        out["audit_records"] = c.chains.count - before
        return out


def _next_due(deadlines: list[tuple], organ_id: int, is_open: bool) -> date | None:  # type: ignore[type-arg]
    dates = [
        row[3] for row in deadlines if row[4] == "open" and (row[1] == organ_id or row[1] is None)
    ]
    return min(dates) if dates else None


def _digest(p, events, deadlines, parties, accused) -> str:  # type: ignore[no-untyped-def]
    """``petitions.seal.petition_digests`` of the copy, from the rows written (not read back)."""
    return row_digest(
        "petition",
        {
            "petition": _row(p[f] for f in PETITION_FIELDS),
            "events": [_row(e[f] for f in EVENT_FIELDS) for e in events],
            "deadlines": sorted((_row(r) for r in deadlines), key=repr),
            "accused_staff": sorted(accused),
            "parties": [_row(plain) for plain, _stored in parties],
            "attachments": [],
        },
    )
