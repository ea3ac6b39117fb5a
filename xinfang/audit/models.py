"""The audit trail: append-only records, each hashed with the hash of the one before it.

``AuditRecord.hash`` is HMAC-SHA256 (key ``XINFANG_AUDIT_KEY``, kept outside the database) over
the record's fields and the hash of the record before it in its chain, stored as 32 raw bytes.
That previous hash is not stored a second time (ADR 0024): verify walks each chain in order and
has it in hand, and the HMAC fails unless it is the one the record was made after. The trail
is several chains (``chain``, a hash bucket of the record's object: every record of one
petition is in one chain), so audited writes of different petitions do not wait for one
another; each chain's ``AuditHead`` holds its last sequence number and hash and is locked to
append, so each chain has one order. The heads are
anchored together outside the database (``AuditAnchor``, ADR 0014). ``xinfang audit verify``
recomputes every chain: an edited, removed, inserted or reordered record breaks it.
"""

from __future__ import annotations

from django.db import models

GENESIS = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditRecord(models.Model):
    chain = models.PositiveSmallIntegerField("链", default=0)
    seq = models.PositiveBigIntegerField("序号")
    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=40)
    # No foreign keys: a record outlives the user, organ or petition it names.
    actor_id = models.BigIntegerField("操作人", null=True, blank=True)
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    organ_id = models.BigIntegerField("操作人机关", null=True, blank=True)
    ip = models.CharField("IP 地址", max_length=45, blank=True)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    # HMAC-SHA256 of the record and the previous record's hash (``audit.chain.record_hash``):
    # 32 raw bytes, not 64 hex characters (ADR 0024; hex where people read it: ``hash_hex``).
    hash = models.BinaryField(max_length=32)
    # The digest this record seals (ADR 0026): 32 raw bytes, not 64 hex characters in ``data``.
    # The HMAC covers it as ``data["digest"]`` in hex, as when it was stored there, so records
    # written with the digest in ``data`` were converted without hashing them again.
    seal = models.BinaryField("封存摘要", max_length=32, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        # Only what a query of the application reads, and only its rows (ADR 0024; issue 14's
        # disk budget). The walk of verify and the anchors use the (chain, seq) constraint; no
        # page lists records of every kind by object, actor or kind, so there is no index of
        # every record by object, actor or kind (1.2 KB a petition at 10.5 records).
        indexes = [
            # the login throttle counts an address's failed logins (directory.throttle)
            models.Index(
                fields=["ip", "at"],
                name="audit_failed_login_ip",
                condition=models.Q(kind="login.failed"),
            ),
            # …and a user name's latest login attempts (directory.throttle.login_failures)
            models.Index(
                fields=["object_id", "seq"],
                name="audit_login_attempts",
                condition=models.Q(object_type="login"),
            ),
            # the archive manifests of detached partitions (audit.archive, ops.partition_archive)
            models.Index(
                fields=["object_id"],
                name="audit_partition",
                condition=models.Q(object_type="partition"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.kind} {self.actor_name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("审计记录只能追加，不能删除")

    @property
    def digest(self) -> str | None:
        """The digest this record seals, as hex (from ``seal``, or from ``data`` in a record
        not converted: a year archived before ADR 0026); ``None`` if it seals nothing."""
        if self.seal is not None and isinstance(self.seal, (bytes, bytearray, memoryview)):
            return bytes(self.seal).hex()
        if isinstance(self.data, dict) and "digest" in self.data:
            return str(self.data["digest"])
        return None

    @property
    def hash_hex(self) -> str:
        """The hash as the anchors, heads and manifests write it (64 hex characters)."""
        return bytes(self.hash).hex()


class AuditHead(models.Model):
    """One row per chain: its last record's sequence number and hash (hex: sixteen rows, read by
    people and anchors). Appending locks it."""

    chain = models.PositiveSmallIntegerField(unique=True, default=0)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"
