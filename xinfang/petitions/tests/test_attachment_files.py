"""Attachment files and their rows stand or fall together (issue 13 §1.8): a registration that
rolls back leaves no file, files are readable by the service user only, and the files of a
transaction that a crash interrupted are swept by the tick."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.conf import settings

from xinfang.core import clock
from xinfang.petitions import extensions
from xinfang.petitions.services import AttachmentInput
from xinfang.petitions.services.attachments import (
    _attachments_save,
    attachment_add,
    attachments_sweep,
    pending_folder,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"1" * 2000


def _files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _empty_media():
    for f in _files():
        f.unlink()
    yield
    for f in _files():
        f.unlink()


def test_a_registration_that_rolls_back_leaves_no_attachment_on_disk(world, register, monkeypatch):
    def refuse(*, petitions):
        raise RuntimeError("a later step of the registration fails")

    monkeypatch.setitem(extensions._registered, "test.refuse", refuse)
    with pytest.raises(RuntimeError):
        register(attachments=[AttachmentInput("scan.pdf", PDF)])
    assert _files() == []


def test_an_attachment_added_in_a_transaction_that_fails_leaves_no_file(
    world, register, monkeypatch
):
    from xinfang.petitions.models import Attachment

    p = register().petition

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("the row cannot be written")

    monkeypatch.setattr(Attachment, "save", broken_save)
    with pytest.raises(RuntimeError):
        attachment_add(petition=p, actor=world.clerk, name="scan.pdf", content=PDF)
    assert _files() == []


def test_attachment_files_are_the_service_users_only_and_lose_their_marker_on_commit(
    world, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = register(attachments=[AttachmentInput("scan.pdf", PDF)]).petition
    (att,) = p.attachments.all()
    path = Path(att.file.path)
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert _files() == [path]  # no pending marker left


def test_the_sweep_removes_files_whose_row_never_committed_and_keeps_the_others(world, register):
    p = register().petition
    # As a crash leaves them: the file of a committed row with its marker still there, and a
    # file whose transaction never committed, with its marker.
    _attachments_save(p, [(AttachmentInput("kept.pdf", PDF), "application/pdf")])
    (kept,) = p.attachments.all()
    orphan = Path(kept.file.path).parent / "orphan"
    orphan.write_bytes(PDF)
    from xinfang.petitions.services.attachments import _marker_write

    _marker_write(str(orphan.relative_to(settings.MEDIA_ROOT)))
    assert len(list(pending_folder().iterdir())) == 2

    young = attachments_sweep(now=clock.now(), grace_seconds=3600)
    assert young == {"removed": 0, "kept": 0} and orphan.exists()  # may still be in flight

    two_hours_ago = clock.now().timestamp() - 7200
    for m in pending_folder().iterdir():
        os.utime(m, (two_hours_ago, two_hours_ago))
    assert attachments_sweep(now=clock.now(), grace_seconds=3600) == {"removed": 1, "kept": 1}
    assert not orphan.exists() and Path(kept.file.path).exists()
    assert list(pending_folder().iterdir()) == []
