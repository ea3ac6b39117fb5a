"""Backup and restore, round trip: a real installation with petitions, events, deadlines,
parties, attachments and an audit trail is backed up while it runs, restored into an empty
one, and compared row by row, file by file and key by key; the audit chain verifies on the
restored copy. On the database the suite runs on (SQLite, or PostgreSQL with pg_dump)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from xinfang.ops.tests.installation import Installation

SEED = """
import os
from xinfang.demo import demo_seed
from xinfang.petitions.models import Petition
from xinfang.petitions.services import attachment_add
demo_seed(petitions=30, seed=5)
for i, p in enumerate(Petition.objects.order_by("id")[:4]):
    attachment_add(petition=p, actor=None, name=f"scan{i}.pdf",
                   content=b"%PDF-1.4\\n" + os.urandom(3000))
    attachment_add(petition=p, actor=None, name=f"note{i}.txt", content=f"附件 {i}".encode())
from xinfang.workbench.services import search_index_pending
search_index_pending()  # the search words (ADR 0022: a tsvector per petition on PostgreSQL)
"""

DUMP = """
import hashlib, json
from django.conf import settings
from django.core import serializers
from xinfang.audit.models import AuditRecord
from xinfang.deadlines.models import Deadline
from xinfang.petitions.models import Attachment, Party, Petition, PetitionEvent
out = {}
for m in (Petition, PetitionEvent, Deadline, Party, Attachment, AuditRecord):
    out[m.__name__] = json.loads(serializers.serialize("json", m.objects.order_by("pk")))
out["files"] = {}
for a in Attachment.objects.order_by("pk"):
    with a.file.open("rb") as f:
        out["files"][a.file.name] = hashlib.sha256(f.read()).hexdigest()
out["clear"] = [[p.name, p.phone, p.id_number] for p in Party.objects.order_by("pk")]
out["keys"] = [settings.SECRET_KEY, settings.XINFANG_FIELD_KEYS, settings.XINFANG_INDEX_KEY,
               settings.XINFANG_AUDIT_KEY, settings.XINFANG_FEDERATION_KEY]
from xinfang.federation.keys import own_key_id
out["federation_key_id"] = own_key_id()  # what the peers know this installation by
from django.db import connection
from xinfang.workbench.words import GIN_INDEX, words_of
ids = list(Petition.objects.values_list("pk", flat=True))
out["words"] = {str(k): sorted(v) for k, v in words_of(petition_ids=ids).items()}
if connection.vendor == "postgresql":
    with connection.cursor() as c:
        c.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
        out["gin"] = bool(c.fetchone())
print(json.dumps(out, sort_keys=True, default=str))
"""


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """One installation with petitions, attachments and an audit anchor, and its backup: both
    tests take the same archive (each made its own before, one more migrated installation and
    backup per database)."""
    folder = tmp_path_factory.mktemp("backup")
    a = Installation.create(folder / "a", "backup_a")
    try:
        a.xinfang("migrate")
        a.python(SEED)
        before = json.loads(a.python(DUMP))
        anchored = a.xinfang("audit", "anchor").stdout
        out = a.xinfang("backup", "--output", str(folder / "backups")).stdout
        (archive,) = (folder / "backups").glob("xinfang-backup-*.tar")
        yield {"before": before, "anchored": anchored, "out": out, "archive": archive, "a": a}
    finally:
        a.drop()


@pytest.fixture
def installations(tmp_path):
    made: list[Installation] = []

    def make(name: str) -> Installation:
        inst = Installation.create(tmp_path / name, f"backup_{name}")
        made.append(inst)
        return inst

    yield make
    for inst in made:
        inst.drop()


def test_a_backup_restored_into_an_empty_installation_holds_every_row_file_and_key(
    installations, backed_up
):
    before, archive = backed_up["before"], backed_up["archive"]
    assert len(before["Petition"]) >= 30 and len(before["files"]) == 8
    assert before["AuditRecord"] and any(phone for _, phone, _ in before["clear"])

    assert "已写入锚点" in backed_up["anchored"]
    assert "备份完成" in backed_up["out"]
    assert archive.stat().st_mode & 0o077 == 0  # the archive holds the keys: owner only
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "keys/field_key", "keys/audit_key", "keys/federation_key"} <= names
    assert sum(n.startswith("media/attachments/") for n in names) == 8
    assert any(n.startswith("anchors/anchors-") for n in names)  # a copy outside the database

    b = installations("b")
    restored = b.xinfang("restore", str(archive))
    assert "恢复完成并已核对" in restored.stdout, restored.stdout + restored.stderr
    after = json.loads(b.python(DUMP))
    for table in ("Petition", "PetitionEvent", "Deadline", "Party", "Attachment", "AuditRecord"):
        assert after[table] == before[table], table
    assert after["files"] == before["files"]
    assert after["clear"] == before["clear"]  # the field key came along: identities readable
    assert after["keys"] == before["keys"]
    # the federation signing key came along: peers go on trusting it, no new key exchange
    # (issue 20; without keys/federation_key the restored side makes a new key: another id)
    assert after["federation_key_id"] == before["federation_key_id"]
    # the search words of every petition, and on PostgreSQL their GIN index (ADR 0022)
    assert len(before["words"]) == len(before["Petition"])
    assert after["words"] == before["words"]
    assert after.get("gin", True) and before.get("gin", True)
    for f in (b.media / "attachments").rglob("*"):
        assert f.stat().st_mode & 0o077 == 0, f
    verify = b.xinfang("audit", "verify")
    assert "审计链完好" in verify.stdout

    # A second restore into the now non-empty installation is refused and changes nothing.
    again = b.xinfang("restore", str(archive), check=False)
    assert again.returncode != 0 and "只能恢复到空的系统" in again.stderr
    assert json.loads(b.python(DUMP)) == after


def test_a_damaged_archive_is_refused_before_anything_is_written(
    installations, backed_up, tmp_path
):
    archive = backed_up["archive"]
    assert "备份完好" in backed_up["a"].xinfang("restore", "--check", str(archive)).stdout

    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        key = tar.getmember("keys/audit_key")
    data[key.offset_data] ^= 0x01  # one bit of the audit key
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))

    b = installations("d")
    r = b.xinfang("restore", str(damaged), check=False)
    assert r.returncode != 0 and "校验和不符" in r.stderr and "keys/audit_key" in r.stderr
    # Settings create the SQLite file empty and 0600 when a process starts (issue 11, so its
    # -wal and -shm are private too); the refused restore must not have written into it.
    db = b.data_dir / "xinfang.sqlite3"
    assert b.pg_name or not db.exists() or db.stat().st_size == 0
    assert not Path(b.media).exists() or not any(Path(b.media).rglob("*"))
