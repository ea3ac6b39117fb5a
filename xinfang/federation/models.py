"""Petitions between two xinfang installations (issue 20; docs/federation.md, ADR 0018).

A *peer* is another installation whose administrators exchanged public keys with ours. An
organ served by a peer is a ``RemoteOrgan``: a row of our directory (so a clerk transfers to
it as to any organ) that names the peer and the organ's id there. A transfer to it puts a
message in the ``OutboundMessage`` outbox in the same transaction; ``xinfang tick`` delivers
the outbox until the peer acknowledges. ``InboundMessage`` records every message applied here
(its id: never applied twice) and ``SeenNonce`` the nonces of the replay window.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition


class Peer(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    url = models.URLField(
        "接收地址", max_length=300, help_text="对方系统的根地址，如 https://xf.example.gov.cn/"
    )
    public_key = models.CharField("公钥", max_length=44, unique=True)
    key_id = models.CharField("公钥指纹", max_length=16, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "对接系统"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"


class RemoteOrgan(models.Model):
    """An organ of our directory that another installation serves (江西、广东省际联动)."""

    organ = models.OneToOneField(Organ, on_delete=models.PROTECT, related_name="+")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="organs")
    remote_organ_id = models.PositiveIntegerField("对方系统中的机关编号")

    class Meta:
        verbose_name = verbose_name_plural = "对方系统机关"


class Link(models.Model):
    """One petition as it exists on both sides: ``out`` here is the sender's copy (the
    petitioner's tracking code stays here), ``in`` the receiver's. ``transfer_id`` is the
    message id of the transfer, the name both sides use for it."""

    OUT, IN = "out", "in"
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="+")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=[(OUT, "转出"), (IN, "转入")])
    transfer_id = models.CharField(max_length=32)
    remote_tracking_code = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()
    # ``out``: the sending office took the hand-over back before the peer acknowledged it
    # (``take_back``); ``in``: the sender told us it had taken it back (the answer to an update).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "transfer_id"], name="federation_link_unique"
            )
        ]
        indexes = [models.Index(fields=["petition"], name="federation_link_petition")]


class OutboundMessage(models.Model):
    """The outbox: written in the transaction of the step it reports, delivered by the tick.

    A message being sent is *claimed* (``sending_until``: the tick's lease, the time a crashed
    tick's claim ends); a ``withdrawn`` message (a transfer taken back before the peer
    acknowledged it, issue 20) is never sent again."""

    PENDING, DELIVERED, REFUSED, WITHDRAWN = "pending", "delivered", "refused", "withdrawn"
    message_id = models.CharField(max_length=32, unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    body = models.JSONField()
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10,
        default=PENDING,
        choices=[
            (PENDING, "待发送"),
            (DELIVERED, "已送达"),
            (REFUSED, "被拒收"),
            (WITHDRAWN, "已撤回"),
        ],
    )
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发消息"
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="federation_outbox_due",
                condition=models.Q(status="pending"),
            )
        ]


class InboundMessage(models.Model):
    """A message applied here: its id is never applied twice."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(max_length=32)
    kind = models.CharField(max_length=12)
    received_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "message_id"], name="federation_inbound_once")
        ]
        # the few hand-overs a peer took back, read at every transfer received (inbox)
        indexes = [
            models.Index(
                fields=["peer"], name="federation_inbound_withdraw", condition=Q(kind="withdraw")
            )
        ]


class SeenNonce(models.Model):
    """Nonces of the messages received within the time window (a replay is refused)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "nonce"], name="federation_nonce_once")
        ]


class RemoteStep(models.Model):
    """A step the other installation took on a petition we sent it, as reported back: what the
    petitioner's portal here shows (one tracking code), and the staff page's panel."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveIntegerField()  # the event's number over there
    action = models.CharField(max_length=24)
    state = models.CharField(max_length=24)
    state_label = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    organ = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    document = models.JSONField(default=dict, blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["link_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["link", "seq"], name="federation_step_once")]
