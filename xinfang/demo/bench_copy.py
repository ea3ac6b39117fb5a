"""The copies of ``bench_seed`` (see its module text): one template's history moved in time,
with its own text, people, deadlines, document numbers, evaluations, search words and audit
records, row by row for the bulk writer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from xinfang.audit.seals import row_digest
from xinfang.core import clock, ids
from xinfang.core.crypto import encrypt, id_digest, phone_digest
from xinfang.deadlines.models import Deadline
from xinfang.demo.bench_shift import Shifted, _dumps
from xinfang.demo.bench_write import Chains, Ids, write_rows
from xinfang.documents.models import DocumentCounter, DocumentNumber
from xinfang.feedback.models import Evaluation
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.seal import DEADLINE_FIELDS, EVENT_FIELDS, PETITION_FIELDS, _row
from xinfang.workbench.models import PetitionTerm, PetitionWords
from xinfang.workbench.words import uses_tsvector

PARTY_COLUMNS = (
    "id", "petition_id", "role", "name", "id_number", "phone", "id_digest", "phone_digest",
    "address", "is_organisation", "anonymised_at",
)  # fmt: skip
SHIFTED_MAX = 40_000  # templates moved, kept at once (~200 templates x 260 weeks recur)
OPEN_WEEKS_BACK = 4  # an open copy is moved at most this many weeks back (it stays current)
_TRACKING, _TITLE, _CONTENT = (
    PETITION_FIELDS.index(f) for f in ("tracking_code", "title", "content")
)
_REASON = EVENT_FIELDS.index("reason")


class _Template:
    """One petition as stored, with everything a copy repeats."""

    def __init__(self, p: dict[str, Any]) -> None:
        self.p = p
        self.events: list[dict[str, Any]] = []
        self.parties: list[dict[str, Any]] = []
        self.accused: list[int] = []
        self.numbered: set[int] = set()  # seq of the events that have a 文号
        self.audit: list[dict[str, Any]] = []
        self._days: tuple[date, date] | None = None

    def local_days(self) -> tuple[date, date]:
        """The local days of its receipt and of its last event."""
        if self._days is None:
            self._days = (
                clock.local_date(self.p["received_at"]),
                clock.local_date(self.p["last_event_at"]),
            )
        return self._days


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
        self._shifted: dict[tuple[int, int], Shifted] = {}
        self._sealed: dict[tuple[str, str], tuple[str, str, str, str]] = {}

    def shifted(self, t: _Template, weeks: int) -> Shifted:
        """``t`` moved by ``weeks`` weeks, made once (``bench_shift``); a bounded memo."""
        key = (id(t), weeks)
        got = self._shifted.get(key)
        if got is None:
            if len(self._shifted) >= SHIFTED_MAX:
                self._shifted.clear()
            got = self._shifted[key] = Shifted(t, weeks, self.organs)
        return got

    def sealed(self, idn: str, phone: str) -> tuple[str, str, str, str]:
        """(id_number, phone) as stored: Fernet tokens under the current field key, and their
        blind indexes (core.crypto), computed once per person."""
        got = self._sealed.get((idn, phone))
        if got is None:
            got = self._sealed[(idn, phone)] = (
                encrypt(idn), encrypt(phone), id_digest(idn), phone_digest(phone),
            )  # fmt: skip
        return got


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

    def _weeks(self, t: _Template) -> int:
        """How many weeks the copy moves the template: closed ones anywhere in the years,
        open ones a few weeks back, never into the future."""
        c, p = self.c, t.p
        if p["is_open"]:
            return -c.rng.randint(0, OPEN_WEEKS_BACK)
        start, last = t.local_days()
        span = (last - start).days + 1
        earliest = c.today - timedelta(days=365 * c.years)
        latest = c.today - timedelta(days=span)
        target = earliest + timedelta(days=c.rng.randint(0, max(0, (latest - earliest).days)))
        weeks = (target - start).days // 7
        # never into the future
        while weeks > 0 and last + timedelta(weeks=weeks) > c.today:
            weeks -= 1
        return weeks

    def copy(self, t: _Template, pid: int) -> None:
        """Petition ``pid``: a copy of ``t``."""
        c, rng = self.c, self.c.rng
        s = c.shifted(t, self._weeks(t))
        ti, title, content = c.pool.pick(rng)
        code = ids.new_tracking_code()  # unguessable and unique, as registered
        row = list(s.p_vals)
        row[_TRACKING], row[_TITLE], row[_CONTENT] = code, title, content
        self.petitions.append((pid, s.p["query_secret"], s.next_due, *row))
        first_event = c.ids.take(PetitionEvent, len(s.ev_rows))
        reasons: dict[int, str] = {}
        replies = c.pool.replies
        for i, vals in enumerate(s.ev_rows):
            if s.ev_answer[i] and replies:
                reasons[i] = reply = rng.choice(replies)
                vals = (*vals[:_REASON], reply, *vals[_REASON + 1 :])
            self.events.append((first_event + i, pid, *vals))
        for i, (key, prefix) in s.numbered:
            k = c.issued[key] = c.issued.get(key, 0) + 1
            c.counters[key] = last = c.counted.get(key, 0) + c.job + 1 + (k - 1) * c.jobs
            self.numbers.append((first_event + i, f"{prefix}{last}号"))
        self.deadlines.extend((pid, *r) for r in s.deadlines)
        parties = self._parties(t, pid)
        self.parties.extend(stored for _plain, stored in parties)
        self.accused.extend((pid, uid) for uid in t.accused)
        if self.vectors:
            self.terms.append((pid, c.pool.tsvector(ti)))
        else:
            self.terms.extend((pid, w) for w in c.pool.terms(ti))
        self._evaluations(pid, s)
        parties_json = _dumps([_row(plain) for plain, _stored in parties])
        digest = s.digest(code, title, content, reasons, t.accused, parties_json)
        c.chains.add_copy(pid, s.audit, digest)

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

    def _evaluations(self, pid: int, s: Shifted) -> None:
        """Regulation §8: the petitioner may rate each written answer once; about half do."""
        rng, seen = self.c.rng, set()
        for stage, organ_id, occurred_at in s.rated:
            if stage in seen or rng.random() > 0.5:
                continue
            at = occurred_at + timedelta(days=rng.randint(2, 25), minutes=rng.randint(0, 600))
            if at > self.c.now:
                continue
            seen.add(stage)
            rating = rng.choices(
                ("satisfied", "basically_satisfied", "dissatisfied"), (66, 20, 14)
            )[0]
            self.evaluations.append(
                (self.c.ids.take(Evaluation), pid, stage, organ_id, rating, "", at)
            )

    def write(self) -> dict[str, int]:
        c = self.c
        out = {
            "petitions": write_rows(
                Petition, ("id", "query_secret", "next_due", *PETITION_FIELDS), self.petitions
            ),
            "events": write_rows(
                PetitionEvent,
                ("id", "petition_id", *EVENT_FIELDS),
                self.events,
                raw=frozenset(("data",)),  # JSON text, made once per template and weeks
            ),
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
