"""`xinfang audit verify`: recompute every chain of the audit trail in one consistent snapshot.

What is checked (ADR 0014):

* each chain, record by record: sequence without gaps, each ``prev_hash`` the hash of the one
  before (from the chain's own genesis), each ``hash`` the HMAC of the record (the key is
  outside the database), storage order equal to sequence order;
* each chain's head equal to its last record (a removed tail with an untouched head);
* the latest anchor written outside the database (``xinfang.audit.anchor``): its signature, and
  every head it names still in the chain (a removed tail with a rewritten head);
* the rows sealed in the chain (``xinfang.audit.seals``: petitions with their events and
  deadlines): each row's current digest equal to the last one sealed for it, so a direct SQL
  edit, insert or delete of a petition, an event or a deadline shows.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from xinfang.audit.chain import chain_genesis, record_hash
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
        sealed = _verify_chains(rep, problem)
        if expect_head:
            _check_expected(expect_head, problem)
        if anchors:
            from xinfang.audit.anchor import anchor_check

            anchor_check(rep.heads, rep.notes, problem)
        if seals:
            from xinfang.audit.seals import seals_check

            seals_check(sealed, problem, rep.notes.append)
    return rep


def _verify_chains(
    rep: VerifyReport, problem: Callable[[str], None]
) -> dict[tuple[str, str], tuple[str, int]]:
    """Walk every chain; return the last digest sealed for each (object_type, object_id), with
    the sealing scheme it was made with."""
    from xinfang.audit.seals import seal_version, sealed_types

    types = sealed_types()
    sealed: dict[tuple[str, str], tuple[str, int]] = {}
    chain, prev_hash, expected_seq, last_pk = -1, "", 1, 0
    for r in AuditRecord.objects.order_by("chain", "seq").iterator(chunk_size=2000):
        if r.chain != chain:
            if chain >= 0:
                rep.heads[chain] = (expected_seq - 1, prev_hash)
            chain, prev_hash, expected_seq, last_pk = r.chain, chain_genesis(r.chain), 1, 0
        rep.checked += 1
        at = f"#{r.chain}.{r.seq}"
        if r.seq < expected_seq:
            problem(f"{at}: 序号重复或倒序（reordered）")
        elif r.seq > expected_seq:
            problem(f"#{r.chain}.{expected_seq}–#{r.chain}.{r.seq - 1}: 记录缺失（removed）")
        if r.prev_hash != prev_hash:
            problem(f"{at}: 与上一条记录的链接不符（removed, inserted or reordered）")
        if not hmac.compare_digest(record_hash(r), r.hash):
            problem(f"{at}: 内容与哈希不符（edited）")
        elif r.object_type in types and r.kind == f"{r.object_type}.seal":
            sealed[(r.object_type, r.object_id)] = (
                str((r.data or {}).get("digest", "")),
                seal_version(r.data),
            )
        if r.pk < last_pk:
            problem(f"{at}: 存储顺序与序号不符（reordered）")
        last_pk = max(last_pk, r.pk)
        prev_hash, expected_seq = r.hash, r.seq + 1
    if chain >= 0:
        rep.heads[chain] = (expected_seq - 1, prev_hash)
    stored = {h.chain: (h.seq, h.hash) for h in AuditHead.objects.all()}
    for c in sorted(set(stored) | set(rep.heads)):
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


def _check_expected(expect_head: str, problem: Callable[[str], None]) -> None:
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
        if match != h:
            problem(f"此前记下的链头 #{chain}.{seq} 已不在链中（removed or rewritten）")
