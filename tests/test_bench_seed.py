"""``bench_seed`` (issue 14): a small history through the services, copied in bulk, that the
audit verifies, whose every step is a step of the workflow table, and whose pages open."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from xinfang.audit.verify import audit_verify
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.workflow import Action, State
from xinfang.petitions.workflow.table import transition_for

pytestmark = pytest.mark.django_db

N, TEMPLATES = 120, 30  # templates through the services are the cost; copies are cheap


def _texts(folder):
    (folder / "hot.csv").write_text(
        "id,user,title,time,body,likes,dislikes\n"
        + "".join(
            f"{i},u{i},关于{w}的问题{i},2019-01-01,我们小区{w}问题长期得不到解决，请有关部门督促处理。,0,0\n"
            for i, w in enumerate(("物业收费", "噪音扰民", "拖欠工资", "道路破损", "学校招生") * 4)
        ),
        encoding="utf-8",
    )
    return str(folder)


def _targets(state: State, action: Action) -> set[str]:
    t = transition_for(state, action)
    if t is None:
        return set()
    return {str(t.target or state), *(str(tgt) for _f, _v, tgt in t.target_if)}


def test_a_seeded_history_is_plausible_legal_verified_and_its_pages_open(tmp_path, client):
    """One seeding (the templates go through the services, which takes a while), every check."""
    from xinfang.demo.bench_seed import bench_seed

    seeded = bench_seed(petitions=N, templates=TEMPLATES, seed=5, text_dir=_texts(tmp_path))
    assert seeded["petitions"] == N and Petition.objects.count() == N
    assert seeded["templates"] >= TEMPLATES and seeded["copies"] == N - seeded["templates"]
    copies = list(Petition.objects.order_by("pk")[seeded["templates"] :])
    _plausible(seeded, copies)
    _legal_paths()
    _verified()
    _moved_once_is_moved_every_time()
    _pages_open(client, copies[-1])
    # run again on a database that has petitions: only copies are added, still verified
    call_command("bench_seed", petitions=20, text_dir=str(tmp_path / "absent"), json=True)
    assert Petition.objects.count() == N + 20
    _verified()
    # a copy changed by SQL shows (the seal is the real digest of what was written)
    copy = copies[-1]
    Petition.objects.filter(pk=copy.pk).update(title="改过的标题")
    rep = audit_verify(anchors=False)
    assert any(f"petition {copy.pk}:" in p for p in rep.problems), rep.problems


def _plausible(seeded, copies):
    closed = sum(1 for p in copies if not p.is_open)
    assert 0.7 <= closed / len(copies) <= 0.97
    assert len({p.tracking_code for p in Petition.objects.all()}) == N
    assert all("问题" in p.title for p in copies)  # the text folder's titles
    # a record per step, each carrying its seal (ADR 0026): at least as many records as steps
    assert seeded["deadlines"] > 0 and seeded["audit_records"] >= seeded["events"]
    assert seeded["search_words"] > 0 and seeded["evaluations"] > 0
    assert seeded["documents"] > 0
    # parties are stored encrypted and found by their blind index, as the app does
    from xinfang.core.crypto import phone_digest

    party = Party.objects.filter(petition__in=copies).exclude(phone_digest="").first()
    assert party is not None and party.phone.startswith("1")
    assert Party.objects.filter(phone_digest=phone_digest(party.phone)).exists()
    stored = Party.objects.filter(pk=party.pk).values_list("phone", flat=True).query
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(*stored.sql_with_params())
        assert cur.fetchone()[0].startswith("gAAAAA")  # a Fernet token, not the number
    # spread over years, none in the future
    from xinfang.core import clock

    years = Counter(clock.local_date(p.received_at).year for p in copies)
    assert len(years) >= 3
    assert not PetitionEvent.objects.filter(occurred_at__gt=clock.now()).exists()


def _moved_once_is_moved_every_time():
    """What ``bench_shift.Shifted`` computes once per (template, weeks) and reuses for every
    copy moved by those weeks is what a copy made on its own gets: the same deadlines folded
    by ``deadlines.tracker`` from the copy's own events (whose answers, ids and petition differ),
    the seal's digest of ``petitions.seal`` and the audit HMACs of ``audit.chain``."""
    import json
    import random
    from datetime import timedelta

    from xinfang.audit.chain import chain_genesis, record_hash
    from xinfang.demo.bench_copy import _digest
    from xinfang.demo.bench_seed import _load_templates
    from xinfang.demo.bench_shift import Hasher, Shifted, _dumps, fold
    from xinfang.demo.bench_write import _Rec
    from xinfang.directory.models import Organ
    from xinfang.petitions.seal import EVENT_FIELDS, _row

    organs = {o.pk: o for o in Organ.objects.all()}
    rng = random.Random(3)
    hasher = Hasher()
    folds = checked = 0
    for t in _load_templates(limit=TEMPLATES):
        for weeks in (-3, 0, rng.randint(-200, -5), rng.randint(5, 200)):
            s = Shifted(t, weeks, organs)
            d = timedelta(weeks=weeks)
            # a copy's own events: other ids, petition, answers
            events = []
            reasons = {}
            for i, e in enumerate(s.events):
                ev = {**e, "id": 10**9 + i, "petition_id": 10**8}
                if s.ev_answer[i]:
                    reasons[i] = ev["reason"] = f"答复{rng.random()}"
                events.append(ev)
            deadlines = fold(s.p, events, organs)
            assert s.deadlines == deadlines, (t.p["id"], weeks)
            folds += bool(deadlines)
            p = {**s.p, "tracking_code": "ABCD2345EFGH6789", "title": "题", "content": "文"}
            parties = [((1, "petitioner", "张三", "1", "2", "", False, None), None)]
            want = _digest(p, events, deadlines, parties, t.accused)
            pj = _dumps([_row(plain) for plain, _ in parties])
            assert s.digest(p["tracking_code"], "题", "文", reasons, t.accused, pj) == want
            assert [e["occurred_at"] for e in events] == [e["occurred_at"] + d for e in t.events]
            assert all(len(v) == len(EVENT_FIELDS) for v in s.ev_rows)
            prev = chain_genesis(5)
            for seq, piece in enumerate(s.audit, start=1):
                dg = want if piece.seal_part else None
                data = json.loads(piece.data_json)
                seal = bytes.fromhex(dg) if dg else piece.seal
                r = _Rec(
                    seq=seq, at=piece.at, kind=piece.kind, actor_id=piece.actor_id,
                    actor_name=piece.actor_name, organ_id=piece.organ_id, ip=piece.ip,
                    object_type="petition", object_id="77", data=data, seal=seal,
                )  # fmt: skip
                h = hasher.record(seq, piece, '"77"', dg, prev)
                assert h == record_hash(r, prev)
                prev = h.hex()
                checked += 1
    assert folds > 0 and checked > 0


def _legal_paths():
    kept = {"receive", "flag"}  # not workflow actions: the state stays
    bad = []
    state: dict[int, str] = {}
    for e in PetitionEvent.objects.order_by("petition_id", "seq"):
        before = state.get(e.petition_id, "")
        if e.from_state != before:
            bad.append((e.petition_id, e.seq, "from", e.from_state, before))
        if e.action in kept:
            ok = e.seq == 1 or e.to_state == e.from_state
        else:
            ok = e.to_state in _targets(State(e.from_state), Action(e.action))
        if not ok:
            bad.append((e.petition_id, e.seq, e.action, e.from_state, e.to_state))
        state[e.petition_id] = e.to_state
    assert bad == []
    assert dict(Petition.objects.values_list("pk", "state")) == state


def _verified():
    rep = audit_verify(anchors=False)
    assert rep.problems == []
    from xinfang.audit.models import AuditRecord

    assert rep.checked == AuditRecord.objects.count()


def _pages_open(client, copy):
    from xinfang.directory.models import User

    for username, page in (
        ("county_clerk", "web:worklist"),
        ("county_handler", "web:worklist"),
        ("province_analyst", "analytics:summary"),
    ):
        user = User.objects.filter(username=username).first()
        if user is not None:  # each on a page of its own menu (an analyst has no worklist)
            client.force_login(user)
            assert client.get(reverse(page)).status_code == 200
    holder = User.objects.filter(organ_id=copy.current_organ_id, is_active=True).first()
    if holder is not None:
        client.force_login(holder)
        assert client.get(reverse("web:petition", args=[copy.pk])).status_code == 200
    r = client.post(reverse("web:search"), {"q": copy.title[2:6]})
    assert r.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_large_load_drops_the_secondary_indexes_and_builds_them_again_on_both_engines():
    """On SQLite too (bench/README.md, "10^6 on SQLite"): kept up to date row by row, the
    search-word index made every batch rewrite most of its pages."""
    from django.db import connection

    from xinfang.demo.bench_write import indexes_deferred, sqlite_cache
    from xinfang.workbench.models import PetitionTerm

    def names(model):  # type: ignore[no-untyped-def]
        with connection.cursor() as c:
            return set(connection.introspection.get_constraints(c, model._meta.db_table))

    wanted = {ix.name for m in (PetitionEvent, PetitionTerm) for ix in m._meta.indexes}
    assert wanted and wanted <= names(PetitionEvent) | names(PetitionTerm)
    with sqlite_cache(mib=64), indexes_deferred([PetitionEvent, PetitionTerm], when=True):
        assert not wanted & (names(PetitionEvent) | names(PetitionTerm))
        if connection.vendor == "sqlite":
            with connection.cursor() as c:
                c.execute("PRAGMA cache_size")
                assert c.fetchone()[0] == -64 * 1024
    assert wanted <= names(PetitionEvent) | names(PetitionTerm)
    if connection.vendor == "sqlite":
        with connection.cursor() as c:  # the connection's own page cache again
            c.execute("PRAGMA cache_size")
            assert c.fetchone()[0] == -2000


@pytest.mark.django_db(transaction=True)
def test_two_jobs_write_a_history_the_audit_verifies_with_no_id_or_number_given_twice(tmp_path):
    """``--jobs 2`` (PostgreSQL): each job owns half the audit chains and copies only the
    petitions of its chains; the ids and document numbers of the two never meet."""
    from django.db import connection

    from xinfang.demo.bench_seed import JOBS_POSTGRESQL_ONLY, bench_seed

    if connection.vendor != "postgresql":
        with pytest.raises(ValueError, match="PostgreSQL"):
            bench_seed(petitions=10, templates=5, jobs=2)
        with pytest.raises(Exception, match="PostgreSQL"):
            call_command("bench_seed", petitions=10, jobs=2, json=True)
        assert "PostgreSQL" in JOBS_POSTGRESQL_ONLY
        return
    seeded = bench_seed(petitions=N, templates=TEMPLATES, seed=5, text_dir=_texts(tmp_path), jobs=2)
    assert seeded["jobs"] == 2 and seeded["copies"] == N - seeded["templates"]
    assert Petition.objects.count() == N
    assert Petition.objects.values("tracking_code").distinct().count() == N
    _legal_paths()
    _verified()
    from xinfang.audit.chain import chain_of
    from xinfang.audit.models import AuditRecord
    from xinfang.documents.models import DocumentCounter, DocumentNumber

    # every chain gapless from 1 (the one writer of each chain appended in order)
    for chain in range(16):
        seqs = list(
            AuditRecord.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
    copies = Petition.objects.order_by("pk")[seeded["templates"] :]
    jobs_used = {chain_of("petition", str(p.pk), None) % 2 for p in copies}
    assert jobs_used == {0, 1}
    # the copies' numbers: none given twice in one register (the issuing organ's, as
    # ``bench_copy._Batch._number`` keys it), though two jobs numbered the same registers
    keyed = [
        (number, actor_organ or (data or {}).get("from_organ_id") or organ)
        for number, actor_organ, organ, data in DocumentNumber.objects.filter(
            event__petition__in=copies
        ).values_list("number", "event__actor_organ_id", "event__organ_id", "event__data")
    ]
    assert len(keyed) > 20 and len(keyed) == len(set(keyed))
    last = max(DocumentCounter.objects.values_list("last", flat=True))
    assert last >= 1
    # the sequences continue after the ids written: the services can register again
    from django.db.models import Max

    with connection.cursor() as c:
        c.execute("SELECT last_value FROM petitions_petitionevent_id_seq")
        assert c.fetchone()[0] >= PetitionEvent.objects.aggregate(m=Max("pk"))["m"]
    # run again with two jobs on a database that has petitions: still verified
    call_command("bench_seed", petitions=20, jobs=2, text_dir=str(tmp_path / "absent"), json=True)
    assert Petition.objects.count() == N + 20
    _verified()
