"""`xinfang audit verify`: recompute every chain of the audit trail in one consistent snapshot.

What is checked (ADR 0014):

* each chain, record by record: sequence without gaps, each ``hash`` the HMAC of the record
  together with the hash of the one before it (from the chain's own genesis; the key is outside
  the database), storage order equal to sequence order. The previous hash is not stored
  (ADR 0024): the walk has it in hand, and a record that was edited, or no longer follows the
  record it was made after (one removed, inserted or moved before it), fails its HMAC;
* each chain's head equal to its last record (a removed tail with an untouched head);
* the latest anchor written outside the database (``xinfang.audit.anchor``): its signature, and
  every head it names still in the chain (a removed tail with a rewritten head);
* archived partitions (ADR 0019): a gap in a chain is accepted only where a detached
  partition's manifest (``audit.archive``) has a run of records starting exactly there with the
  hash the chain reached, and the chain goes on from that run's last hash; the notes say which
  range is archived and how many records were stepped over;
* the rows sealed in the chain (``xinfang.audit.seals``: petitions with their events and
  deadlines; the digest in a seal record, or since ADR 0026 in the record of the step it
  ends): each row's current digest equal to the last one sealed for it, so a direct SQL
  edit, insert or delete of a petition, an event or a deadline shows.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from xinfang.audit.archive import Archive, archive_read
from xinfang.audit.chain import chain_genesis, record_hash, stored_hash
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.snapshot import read_snapshot


@dataclass
class VerifyReport:
    checked: int = 0
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain -> (seq, hash)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts that are no failure (no anchor yet)

    @property
    def ok(self) -> bool:
        return not self.problems

    def heads_text(self) -> str:
        """The heads as ``CHAIN.SEQ:HASH`` (for ``--expect-head``)."""
        return " ".join(f"{c}.{s}:{h}" for c, (s, h) in sorted(self.heads.items()))


def audit_verify(
    *,
    expect_head: str | None = None,
    anchors: bool = True,
    seals: bool = True,
    limit_problems: int = 100,
) -> VerifyReport:
    """Recompute the trail: report every edited, removed, inserted or reordered record, a head
    or anchor that does not match, and every sealed row changed outside the application.

    ``expect_head`` ("CHAIN.SEQ:HASH …", or "SEQ:HASH" for chain 0, printed by an earlier run
    and kept elsewhere) is checked like an anchor."""
    rep = VerifyReport()

    def problem(msg: str) -> None:
        if len(rep.problems) < limit_problems:
            rep.problems.append(msg)

    with read_snapshot():
        archive = archive_read()
        sealed = _verify_chains(rep, problem, archive)
        if expect_head:
            _check_expected(expect_head, problem, archive)
        if anchors:
            from xinfang.audit.anchor import anchor_check

            anchor_check(rep.heads, rep.notes, problem, archive)
        if seals:
            from xinfang.audit.seals import seals_check

            seals_check(sealed, problem, rep.notes.append, archive.excuses)
    for label in archive.labels:
        rows = archive.rows.get(label, 0)
        if label in archive.skipped:
            rep.notes.append(
                f"已归档（分区已分离）：{label}，{rows} 条审计记录在归档中，链经其清单衔接完好，"
                f"跨过 {archive.skipped[label]} 条（archived range, not tampering）"
            )
        else:
            rep.notes.append(f"已归档（分区已分离）：{label}，{rows} 行（archived range）")
    return rep


def _verify_chains(
    rep: VerifyReport, problem: Callable[[str], None], archive: Archive
) -> dict[tuple[str, str], tuple[str, int]]:
    """Walk every chain; return the last digest sealed for each (object_type, object_id), with
    the sealing scheme it was made with."""
    from xinfang.audit.seals import seal_of, seal_version, sealed_types

    types = sealed_types()
    sealed: dict[tuple[str, str], tuple[str, int]] = {}
    chain, prev_hash, expected_seq, last_pk = -1, "", 1, 0
    for r in AuditRecord.objects.order_by("chain", "seq").iterator(chunk_size=2000):
        if r.chain != chain:
            if chain >= 0:
                expected_seq, prev_hash = archive.step(chain, expected_seq, prev_hash)
                rep.heads[chain] = (expected_seq - 1, prev_hash)
            chain, prev_hash, expected_seq, last_pk = r.chain, chain_genesis(r.chain), 1, 0
        rep.checked += 1
        at = f"#{r.chain}.{r.seq}"
        if r.seq > expected_seq:  # a gap: archived records (ADR 0019), else removed ones
            expected_seq, prev_hash = archive.step(chain, expected_seq, prev_hash)
        if r.seq < expected_seq:
            problem(f"{at}: 序号重复或倒序（reordered）")
        elif r.seq > expected_seq:
            problem(f"#{r.chain}.{expected_seq}–#{r.chain}.{r.seq - 1}: 记录缺失（removed）")
        h = stored_hash(r.hash)
        if h is None:  # text in the hash cell (SQLite): named, not a TypeError that stops verify
            problem(f"{at}: 存储的哈希不是字节而是文本，格式不符（malformed hash: edited）")
        elif not hmac.compare_digest(record_hash(r, prev_hash), h):
            problem(
                f"{at}: 内容或与上一条记录的链接与哈希不符"
                "（edited, or a record before it removed, inserted or reordered）"
            )
        elif (
            r.object_type in types
            and (d := seal_of(r.object_type, r.kind, r.data, r.seal)) is not None
        ):
            # a seal record, or the record of the step the seal ends (ADR 0026)
            sealed[(r.object_type, r.object_id)] = (d, seal_version(r.data))
        if r.pk < last_pk:
            problem(f"{at}: 存储顺序与序号不符（reordered）")
        last_pk = max(last_pk, r.pk)
        # the chain goes on from the hash stored, right or wrong: a record edited without its
        # hash is reported once, not again at every record after it
        prev_hash, expected_seq = (str(r.hash) if h is None else h.hex()), r.seq + 1
    if chain >= 0:
        expected_seq, prev_hash = archive.step(chain, expected_seq, prev_hash)
        rep.heads[chain] = (expected_seq - 1, prev_hash)
    stored = {h.chain: (h.seq, h.hash) for h in AuditHead.objects.all()}
    for c in sorted(set(stored) | set(rep.heads)):
        if c not in rep.heads and archive:  # every record of the chain is archived
            seq, h = archive.step(c, 1, chain_genesis(c))
            if seq > 1:
                rep.heads[c] = (seq - 1, h)
        found = rep.heads.get(c, (0, chain_genesis(c)))
        head = stored.get(c)
        if head is None:
            if found[0]:
                problem(f"链 {c} 的链头缺失")
        elif head != found:
            problem(
                f"链 {c} 的链头为 #{head[0]}，最后一条记录为 #{found[0]}："
                "末尾记录被删除或链头被改（removed）"
            )
    return sealed


def _check_expected(expect_head: str, problem: Callable[[str], None], archive: Archive) -> None:
    for item in expect_head.split():
        where, _, h = item.partition(":")
        chain_s, _, seq_s = where.rpartition(".")
        try:
            chain, seq = int(chain_s or 0), int(seq_s)
        except ValueError:
            problem(f"--expect-head 格式应为 链.序号:哈希，收到 {item!r}")
            continue
        match = (
            AuditRecord.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        )
        if match is None and archive.holds(chain, seq):
            continue  # in an archived partition: its link was checked through the manifest
        raw = None if match is None else stored_hash(match)
        if raw is None or raw.hex() != h.lower():
            problem(f"此前记下的链头 #{chain}.{seq} 已不在链中（removed or rewritten）")
