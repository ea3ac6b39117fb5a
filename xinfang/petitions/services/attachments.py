"""Attachments: scanned letters and documents, checked by their content, stored by digest.

A file and its row must stand or fall together, and a file cannot join a database transaction.
So (ADR 0011):

* the file is written (mode 0600, flushed to disk) *before* its row commits, so a committed row
  never lacks its file; first a pending marker naming it is written into
  ``<media>/attachments/.pending/``;
* when the transaction commits, the marker is removed; when the service's transaction fails,
  the files it wrote are removed at once (``attachment_files_guard``);
* after a crash between the two (SIGKILL, power), the marker remains: the periodic job
  ``petitions.attachments_sweep`` deletes the file if no row names it, once the marker is older
  than ``XINFANG_ATTACHMENT_PENDING_GRACE_SECONDS`` (no transaction is still running then).
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.petitions import validation as v
from xinfang.petitions.models import Attachment, Petition
from xinfang.petitions.seal import petition_seal


@dataclass(frozen=True)
class AttachmentInput:
    name: str
    content: bytes


#: The files written by the service call in progress (see ``attachment_files_guard``).
_written: contextvars.ContextVar[list[tuple[str, Path]] | None] = contextvars.ContextVar(
    "xinfang_attachments_written", default=None
)


def pending_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments" / ".pending"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _marker_write(name: str) -> Path:
    folder = pending_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    marker = folder / uuid.uuid4().hex
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(name)
    return marker


def _markers_remove(markers: Sequence[Path]) -> None:
    for m in markers:
        m.unlink(missing_ok=True)


@dataclass(frozen=True)
class StagedFile:
    """A file written and flushed to disk, its marker pending, its row not yet written."""

    input: AttachmentInput
    kind: str
    sha256: str
    name: str  # its name in the storage
    markers: tuple[Path, ...]


def _attachments_write(files: Sequence[tuple[AttachmentInput, str]]) -> list[StagedFile]:
    """Write each file under its digest, mode 0600, flushed with its folder, before any
    transaction: a registration then holds no lock while the disk syncs (issue 14; on SQLite
    the fsyncs sat inside the one write lock). Call inside ``attachment_files_guard``: if the
    service fails later, the files are removed. The name does not depend on the petition,
    whose id is not known yet; the row names the file."""
    staged = []
    written = _written.get()
    for a, kind in files:
        digest = hashlib.sha256(a.content).hexdigest()
        wanted = default_storage.get_available_name(f"attachments/{digest[:2]}/{digest[:16]}")
        markers = [_marker_write(wanted)]
        name = default_storage.save(wanted, ContentFile(a.content))
        if name != wanted:  # another request took the name meanwhile
            markers.append(_marker_write(name))
        if written is not None:
            written.append((name, markers[-1]))
        path = Path(default_storage.path(name))
        _fsync(path)
        _fsync(path.parent)
        staged.append(StagedFile(a, kind, digest, name, tuple(markers)))
    return staged


def _attachment_rows(petition: Petition, staged: Sequence[StagedFile]) -> list[Attachment]:
    """In the service's transaction: the rows of files already written (returned, as saved);
    their markers go when the transaction commits."""
    rows = []
    for f in staged:
        att = Attachment(
            petition=petition,
            original_name=f.input.name[:200],
            content_type=f.kind,
            size=len(f.input.content),
            sha256=f.sha256,
        )
        att.file.name = f.name
        att.save()
        rows.append(att)
    markers = [m for f in staged for m in f.markers]
    if markers:
        transaction.on_commit(lambda: _markers_remove(markers))
    return rows


def _attachments_save(petition: Petition, files: Sequence[tuple[AttachmentInput, str]]) -> None:
    """Store each file and write its row (``kind``: the sniffed type)."""
    _attachment_rows(petition, _attachments_write(files))


@contextmanager
def attachment_files_guard() -> Iterator[None]:
    """Around a service's transaction that stores attachments: if the block raises (the
    transaction rolled back), the files it wrote and their markers are removed at once."""
    token = _written.set([])
    try:
        yield
    except BaseException:
        for name, marker in _written.get() or []:
            default_storage.delete(name)
            marker.unlink(missing_ok=True)
        raise
    finally:
        _written.reset(token)


def attachments_sweep(*, now: datetime, grace_seconds: int) -> dict[str, int]:
    """Finish what a crash interrupted: for each pending marker older than ``grace_seconds``,
    delete its file unless a row names it (the transaction committed), then the marker."""
    removed = kept = 0
    folder = pending_folder()
    if not folder.exists():
        return {"removed": 0, "kept": 0}
    for marker in sorted(folder.iterdir()):
        try:
            if now.timestamp() - marker.stat().st_mtime < grace_seconds:
                continue
            name = marker.read_text().strip()
        except FileNotFoundError:  # removed by its commit meanwhile
            continue
        if name and not Attachment.objects.filter(file=name).exists():
            default_storage.delete(name)
            removed += 1
        else:
            kept += 1
        marker.unlink(missing_ok=True)
    return {"removed": removed, "kept": kept}


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
    with attachment_files_guard(), transaction.atomic():
        _attachments_save(petition, [(AttachmentInput(name, content), kind)])
        petition_seal(petition_ids=[petition.pk], actor=actor)  # the seal covers attachments
    return petition.attachments.order_by("-id").first()  # type: ignore[return-value]
