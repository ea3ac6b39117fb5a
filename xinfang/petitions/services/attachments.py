"""Attachments: scanned letters and documents, checked by their content, stored by digest."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.petitions import validation as v
from xinfang.petitions.models import Attachment, Petition


@dataclass(frozen=True)
class AttachmentInput:
    name: str
    content: bytes


def _attachments_save(petition: Petition, files: Sequence[tuple[AttachmentInput, str]]) -> None:
    """Store each file under its digest and write its row (``kind``: the sniffed type)."""
    for a, kind in files:
        digest = hashlib.sha256(a.content).hexdigest()
        att = Attachment(
            petition=petition,
            original_name=a.name[:200],
            content_type=kind,
            size=len(a.content),
            sha256=digest,
        )
        att.file.save(digest[:16], ContentFile(a.content), save=False)
        att.save()


def attachment_add(
    *, petition: Petition, actor: User | None, name: str, content: bytes
) -> Attachment:
    """Add a scanned page or document to a petition already registered."""
    kind = v.sniff_type(content)
    if len(content) > settings.XINFANG_ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            gettext("附件过大"),
            fields={
                "file": [
                    gettext("不超过 %(mb)s MB")
                    % {"mb": settings.XINFANG_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            },
        )
    if kind is None:
        raise ApplicationError(
            gettext("文件类型不受支持"),
            fields={"file": [gettext("可上传 PDF、JPEG、PNG、TIFF、Word、文本")]},
        )
    if petition.attachments.count() >= settings.XINFANG_ATTACHMENTS_PER_PETITION:
        raise ApplicationError(gettext("附件数量已达上限"))
    with transaction.atomic():
        _attachments_save(petition, [(AttachmentInput(name, content), kind)])
    return petition.attachments.order_by("-id").first()  # type: ignore[return-value]
