"""Anchors: the heads of every audit chain, signed and timestamped, written outside the database.

The database administrator can rewrite rows, but not what is kept outside the database: the
audit key and the anchor directory (``XINFANG_AUDIT_ANCHOR_DIR``, in production a volume the
database host cannot write: another disk, an NFS export of another host, an append-only
``chattr +a`` directory; see docs/operations.md). ``xinfang tick`` appends an anchor each
minute the heads have moved (``audit.anchor`` job); ``xinfang audit verify`` checks the chains
against the latest anchor, so a tail removed together with a rewritten head shows, and a
forged or edited anchor fails its signature (ADR 0014).

One JSON line per anchor, in one file per month (``anchors-2026-12.jsonl``)::

    {"v": 1, "at": "2026-12-06T22:30:00.000000+00:00",
     "heads": {"0": [412, "ab12…"], "3": [97, "cd34…"]}, "prev": "<sig of the line before>",
     "sig": "<HMAC-SHA256 of the rest>"}

``sig`` is an HMAC under a key derived from ``XINFANG_AUDIT_KEY``; ``prev`` links each anchor
to the one before, so a line removed from the middle or inserted shows too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from xinfang.audit.archive import Archive
from xinfang.audit.chain import stored_hash
from xinfang.audit.models import AuditHead, AuditRecord
from xinfang.audit.snapshot import read_snapshot


def anchor_dir() -> Path | None:
    """Where anchors are written; ``None`` when the setting is empty (anchoring off)."""
    value = getattr(settings, "XINFANG_AUDIT_ANCHOR_DIR", "")
    return Path(value) if value else None


def _key() -> bytes:
    return hmac.new(
        settings.XINFANG_AUDIT_KEY.encode(), b"xinfang.audit.anchor", hashlib.sha256
    ).digest()


def _body(line: dict[str, Any]) -> bytes:
    rest = {k: v for k, v in line.items() if k != "sig"}
    return json.dumps(rest, sort_keys=True, separators=(",", ":")).encode()


def _sign(line: dict[str, Any]) -> str:
    return hmac.new(_key(), _body(line), hashlib.sha256).hexdigest()


@dataclass
class AnchorLog:
    """Every anchor read back, oldest first, with what was wrong with any of them."""

    anchors: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.anchors[-1] if self.anchors else None


def anchors_read(folder: Path | None = None) -> AnchorLog:
    """Read and check every anchor: each signature, and each link to the one before."""
    log = AnchorLog()
    folder = folder or anchor_dir()
    if folder is None or not folder.is_dir():
        return log
    prev_sig = ""
    for path in sorted(folder.glob("anchors-*.jsonl")):
        for n, raw in enumerate(path.read_bytes().splitlines(), start=1):
            where = f"{path.name}:{n}"
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                sig = str(line["sig"])
                heads = {int(c): (int(s), str(h)) for c, (s, h) in line["heads"].items()}
                str(line["at"])
            except (ValueError, KeyError, TypeError, AttributeError):
                log.problems.append(f"锚点 {where}：无法读取（rewritten）")
                continue
            if not hmac.compare_digest(_sign(line), sig):
                log.problems.append(f"锚点 {where}：签名不符（rewritten or forged）")
                continue
            if line.get("prev", "") != prev_sig:
                log.problems.append(f"锚点 {where}：与上一个锚点的链接不符（removed or inserted）")
            prev_sig = sig
            log.anchors.append({**line, "heads": heads, "where": where})
    return log


def current_heads() -> dict[int, tuple[int, str]]:
    return {h.chain: (h.seq, h.hash) for h in AuditHead.objects.filter(seq__gt=0)}


def audit_anchor(*, now: datetime, folder: Path | None = None) -> dict[str, int]:
    """Append an anchor of the current heads, unless they are those of the latest anchor
    (idempotent: running it twice writes once). The heads are read in one snapshot."""
    folder = folder or anchor_dir()
    if folder is None:
        return {"written": 0}
    with read_snapshot():
        heads = current_heads()
    log = anchors_read(folder)
    latest = log.latest
    if latest is not None and latest["heads"] == heads:
        return {"written": 0, "chains": len(heads)}
    line: dict[str, Any] = {
        "v": 1,
        "at": now.astimezone(UTC).isoformat(timespec="microseconds"),
        "heads": {str(c): [s, h] for c, (s, h) in sorted(heads.items())},
        "prev": latest["sig"] if latest is not None else "",
    }
    line["sig"] = _sign(line)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"anchors-{now.astimezone(UTC):%Y-%m}.jsonl"
    data = (json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return {"written": 1, "chains": len(heads)}


def anchor_check(
    heads: Mapping[int, tuple[int, str]],
    notes: list[str],
    problem: Callable[[str], None],
    archive: Archive | None = None,
) -> None:
    """Check the chains (already walked: ``heads``) against the latest anchor: each head it
    names must still be in its chain with the same hash."""
    folder = anchor_dir()
    if folder is None:
        notes.append("未配置锚点目录（XINFANG_AUDIT_ANCHOR_DIR），未核对锚点")
        return
    log = anchors_read(folder)
    for p in log.problems:
        problem(p)
    latest = log.latest
    if latest is None:
        if not log.problems:
            notes.append(f"{folder} 中尚无锚点（xinfang tick 每分钟写一个）")
        return
    for chain, (seq, h) in sorted(latest["heads"].items()):
        have = heads.get(chain, (0, ""))[0]
        if seq > have:
            problem(
                f"链 {chain}：锚点（{latest['at']}）记下 #{chain}.{seq}，链中只到 #{chain}.{have}"
                "（removed）"
            )
            continue
        found = (
            AuditRecord.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        )
        if found is None and archive is not None and archive.holds(chain, seq):
            continue  # in an archived partition (ADR 0019): linked through its manifest
        raw = None if found is None else stored_hash(found)
        if raw is None or raw.hex() != h:
            problem(
                f"链 {chain}：锚点（{latest['at']}）记下的 #{chain}.{seq} 已被改写（rewritten）"
            )
    notes.append(f"已核对最新锚点 {latest['where']}（{latest['at']}）")
