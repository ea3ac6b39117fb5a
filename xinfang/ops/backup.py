"""Backup and restore of an installation: one archive with the database, the attachments and
the keys, a manifest and a SHA-256 of every member.

The archive (an uncompressed tar; the PostgreSQL dump is compressed by ``pg_dump`` itself)::

    manifest.json                 format, version, time, database vendor, row counts, members
    database/xinfang.sqlite3      SQLite: the online backup API's copy (a consistent snapshot)
    database/xinfang.pgdump       PostgreSQL: pg_dump -Fc, taken in an exported snapshot
    media/attachments/…           every attachment file that the snapshot's rows name
    anchors/anchors-YYYY-MM.jsonl a copy of the audit anchors (kept, never restored)
    keys/secret_key field_key index_key audit_key federation_key

Consistency: the database is copied as one snapshot while the system runs, and the attachments
are those the snapshot's rows name (a file is written before its row commits, so every row of
the snapshot has its file). Losing ``field_key`` loses every encrypted identity number and
phone, and losing ``audit_key`` the proof of the audit chain: the keys travel with the data,
so the archive is as secret as the database and its keys together (written mode 0600; keep it
encrypted and off the host, docs/operations.md). ``federation_key`` is the installation's
signing key towards other installations (docs/federation.md): restored, the peers go on
trusting it without a new key exchange. An archive made before it was carried has none: the
restored installation keeps the key it made for itself (a new key exchange).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, connections, transaction

from xinfang.core import clock

FORMAT = "xinfang-backup"
VERSION = 1
KEY_NAMES = ("secret_key", "field_key", "index_key", "audit_key", "federation_key")
#: Keys that archives of earlier versions do not carry (restored when present).
KEYS_ADDED_LATER = frozenset({"federation_key"})
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or the restore cannot go on; nothing was changed (restore: say what)."""


def _counted_tables() -> dict[str, str]:
    """What the manifest counts and the restore compares: name -> table."""
    from xinfang.audit.models import AuditRecord
    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.models import Attachment, Party, Petition, PetitionEvent

    return {
        "petitions": Petition._meta.db_table,
        "events": PetitionEvent._meta.db_table,
        "deadlines": Deadline._meta.db_table,
        "parties": Party._meta.db_table,
        "attachments": Attachment._meta.db_table,
        "audit_records": AuditRecord._meta.db_table,
    }


def _attachment_sql() -> str:
    from xinfang.petitions.models import Attachment

    t = Attachment._meta.db_table
    return f"SELECT file, sha256 FROM {t} ORDER BY id"


def _anchor_files() -> list[Path]:
    from xinfang.audit.anchor import anchor_dir

    folder = anchor_dir()
    return sorted(folder.glob("anchors-*.jsonl")) if folder and folder.is_dir() else []


def key_values() -> dict[str, str]:
    """The keys in force (from the environment or the data folder), as the files hold them."""
    return {
        "secret_key": settings.SECRET_KEY,
        "field_key": ",".join(settings.XINFANG_FIELD_KEYS),
        "index_key": settings.XINFANG_INDEX_KEY,
        "audit_key": settings.XINFANG_AUDIT_KEY,
        "federation_key": settings.XINFANG_FEDERATION_KEY,
    }


class _Hashing(io.RawIOBase):
    """Reads through a file while computing its SHA-256."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.sha = f, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.f.read(len(b))
        self.sha.update(data)
        b[: len(data)] = data
        return len(data)


@dataclass
class _Writer:
    tar: tarfile.TarFile
    members: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_file(self, name: str, path: Path) -> None:
        info = tarfile.TarInfo(name)
        st = path.stat()
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        with path.open("rb") as f:
            h = _Hashing(f)
            self.tar.addfile(info, h)  # type: ignore[arg-type]
        self.members[name] = {"sha256": h.sha.hexdigest(), "size": st.st_size}

    def add_bytes(self, name: str, data: bytes, *, record: bool = True) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        if record:
            self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    counts: dict[str, int]
    attachments: int
    bytes: int
    seconds: float


def backup_create(*, folder: Path, now: datetime | None = None) -> BackupResult:
    """Write ``xinfang-backup-<time>.tar`` into ``folder`` (created mode 0700) and return it."""
    started = time.perf_counter()
    now = now or clock.now()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"xinfang-backup-{now.astimezone().strftime('%Y%m%d-%H%M%S')}.tar"
    final = folder / name
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as tmp:
        work = Path(tmp)
        with _snapshot(work) as (db_member, db_file, counts, attachments):
            partial = work / "archive.tar"
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                w = _Writer(tar)
                w.add_file(db_member, db_file)
                media = Path(settings.MEDIA_ROOT)
                for rel, _sha in attachments:
                    src = media / rel
                    if not src.is_file():
                        raise BackupError(f"附件文件缺失：{rel}")
                    w.add_file(f"media/{rel}", src)
                for key, value in key_values().items():
                    w.add_bytes(f"keys/{key}", value.encode())
                # A copy of the audit anchors, outside the database (ADR 0014): kept for the
                # record, never restored (they may name heads later than this snapshot).
                for path in _anchor_files():
                    w.add_bytes(f"anchors/{path.name}", path.read_bytes())
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": now.isoformat(),
                    "database": {"vendor": connection.vendor, "member": db_member},
                    "counts": counts,
                    "migrations": _migrations(),
                    "members": w.members,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
                w.add_bytes("manifest.json", body.encode(), record=False)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, final)
    return BackupResult(
        path=final,
        counts=counts,
        attachments=len(attachments),
        bytes=final.stat().st_size,
        seconds=round(time.perf_counter() - started, 2),
    )


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


@contextmanager
def _snapshot(work: Path) -> Iterator[tuple[str, Path, dict[str, int], list[tuple[str, str]]]]:
    """(member name, dump file, row counts, attachment (file, sha256)) of one consistent
    snapshot of the database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dump = work / "xinfang.sqlite3"
        dst = sqlite3.connect(dump)
        try:
            connection.connection.backup(dst)  # the online backup API: a consistent copy
            counts = {
                k: dst.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for k, t in _counted_tables().items()
            }
            attachments = [(str(f), str(s)) for f, s in dst.execute(_attachment_sql())]
        finally:
            dst.close()
        os.chmod(dump, 0o600)
        yield "database/xinfang.sqlite3", dump, counts, attachments
        return
    if connection.vendor != "postgresql":
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    dump = work / "xinfang.pgdump"
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            c.execute("SELECT pg_export_snapshot()")
            snapshot = c.fetchone()[0]
            counts = {}
            for k, t in _counted_tables().items():
                c.execute(f"SELECT count(*) FROM {t}")
                counts[k] = c.fetchone()[0]
            c.execute(_attachment_sql())
            attachments = [(str(f), str(s)) for f, s in c.fetchall()]
        _pg_run("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"])
    yield "database/xinfang.pgdump", dump, counts, attachments


def _pg_run(program: str, args: list[str], *, with_db: bool = True) -> None:
    exe = shutil.which(program)
    if exe is None:
        raise BackupError(f"找不到 {program}：请安装与数据库服务器同一主版本的 postgresql-client")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or ""), "PGCONNECT_TIMEOUT": "10"}
    conn = [
        f"--host={db.get('HOST') or '127.0.0.1'}",
        f"--port={db.get('PORT') or 5432}",
        f"--username={db.get('USER') or 'postgres'}",
    ]
    if with_db:
        conn.append(f"--dbname={db['NAME']}")
    r = subprocess.run([exe, *conn, *args], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise BackupError(f"{program} 失败：{r.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    counts: dict[str, int] = field(default_factory=dict)
    attachments: int = 0
    audit_records: int = 0
    replaced_keys: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == str(p)


def archive_read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, mode="r:") as tar:
            f = tar.extractfile("manifest.json")
            if f is None:
                raise KeyError
            manifest = json.loads(f.read())
    except (tarfile.TarError, KeyError, OSError, ValueError) as e:
        raise BackupError(f"不是 xinfang 备份文件，或已损坏：{path}（{type(e).__name__}）") from e
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"备份格式不受支持：{manifest.get('format')} {manifest.get('version')}")
    return manifest


def archive_verify(path: Path) -> dict[str, Any]:
    """Check every member's SHA-256 and size against the manifest, and that nothing is missing
    or extra; return the manifest. Touches nothing."""
    manifest = archive_read_manifest(path)
    expected = dict(manifest["members"])
    with tarfile.open(path, mode="r:") as tar:
        for info in tar:
            if info.name == "manifest.json":
                continue
            if not info.isfile() or not _safe_member(info.name) or info.name not in expected:
                raise BackupError(f"备份中有不应有的内容：{info.name}")
            want = expected.pop(info.name)
            f = tar.extractfile(info)
            assert f is not None
            sha = hashlib.sha256()
            while chunk := f.read(CHUNK):
                sha.update(chunk)
            if sha.hexdigest() != want["sha256"] or info.size != want["size"]:
                raise BackupError(f"校验和不符（备份已损坏或被改动）：{info.name}")
    if expected:
        raise BackupError(f"备份缺少：{', '.join(sorted(expected)[:5])}")
    return manifest


def installation_is_empty() -> list[str]:
    """Why this installation is not empty (so a restore would overwrite something)."""
    why = []
    tables = connection.introspection.table_names()
    if tables:
        why.append(f"数据库中已有 {len(tables)} 张表（请用新建的空数据库，不要先运行 migrate）")
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(p.is_file() for p in media.rglob("*")):
        why.append(f"附件目录 {media} 不是空的")
    return why


def backup_restore(*, path: Path) -> RestoreReport:
    """Verify the archive, refuse a non-empty installation, restore database, attachments and
    keys, then verify the restored copy (row counts, every attachment's content hash, the
    audit chain under the restored key)."""
    manifest = archive_verify(path)
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['database']['vendor']}，本系统使用 {connection.vendor}"
        )
    if why := installation_is_empty():
        raise BackupError("只能恢复到空的系统：" + "；".join(why))
    with tarfile.open(path, mode="r:") as tar:
        keys = {
            k: _read(tar, f"keys/{k}").decode()
            for k in KEY_NAMES
            if k not in KEYS_ADDED_LATER or f"keys/{k}" in manifest["members"]
        }
        _keys_check_environment(keys)
        report = RestoreReport()
        _restore_database(tar, manifest)
        _restore_media(tar, manifest)
        report.replaced_keys = _restore_keys(keys)
    _settings_take_keys(keys)
    connections.close_all()
    _verify_restored(manifest, report)
    return report


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    f = tar.extractfile(name)
    if f is None:
        raise BackupError(f"备份缺少 {name}")
    return f.read()


_KEY_ENV = {
    "secret_key": "XINFANG_SECRET_KEY",
    "field_key": "XINFANG_FIELD_KEYS",
    "index_key": "XINFANG_INDEX_KEY",
    "audit_key": "XINFANG_AUDIT_KEY",
    "federation_key": "XINFANG_FEDERATION_KEY",
}


def _keys_check_environment(keys: dict[str, str]) -> None:
    """A key set in the environment wins over the data folder: it must be the backup's."""
    for name, var in _KEY_ENV.items():
        given = os.environ.get(var)
        if name in keys and given is not None and given.strip() != keys[name].strip():
            raise BackupError(
                f"环境变量 {var} 与备份中的密钥不同：请改为备份中的 keys/{name}，或取消该变量"
            )


def _restore_database(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    member = manifest["database"]["member"]
    f = tar.extractfile(member)
    if f is None:
        raise BackupError(f"备份缺少 {member}")
    if connection.vendor == "sqlite":
        target = Path(str(connection.settings_dict["NAME"]))
        connections.close_all()
        for extra in (Path(f"{target}-wal"), Path(f"{target}-shm"), target):
            extra.unlink(missing_ok=True)
        tmp = target.with_name(f".{target.name}.restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(f, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        return
    with tempfile.TemporaryDirectory(prefix="xinfang-restore-") as tmp:
        dump = Path(tmp) / "xinfang.pgdump"
        with dump.open("wb") as out:
            shutil.copyfileobj(f, out, CHUNK)
        connections.close_all()
        _pg_run(
            "pg_restore",
            [
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            with_db=False,
        )


def _restore_media(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in manifest["members"]:
        if not name.startswith("media/"):
            continue
        rel = PurePosixPath(name).relative_to("media")
        target = media.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        src = tar.extractfile(name)
        assert src is not None
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)


def _restore_keys(keys: dict[str, str]) -> list[str]:
    """Write the key files into the data folder (mode 0600). Keys this installation generated
    for itself (it is empty, so they protect nothing) are kept aside, never deleted."""
    data = Path(settings.DATA_DIR)
    aside = data / f"keys-before-restore-{int(time.time())}"
    replaced = []
    for name, value in keys.items():
        target = data / name
        if target.exists() and target.read_text().strip() != value.strip():
            aside.mkdir(mode=0o700, exist_ok=True)
            shutil.move(str(target), aside / name)
            replaced.append(name)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(value)
    return replaced


def _settings_take_keys(keys: dict[str, str]) -> None:
    """This process goes on with the restored keys (for the verification that follows)."""
    settings.SECRET_KEY = keys["secret_key"]
    settings.XINFANG_FIELD_KEYS = [k for k in keys["field_key"].split(",") if k]
    settings.XINFANG_INDEX_KEY = keys["index_key"]
    settings.XINFANG_AUDIT_KEY = keys["audit_key"]
    if "federation_key" in keys:
        settings.XINFANG_FEDERATION_KEY = keys["federation_key"]


def _verify_restored(manifest: dict[str, Any], report: RestoreReport) -> None:
    from xinfang.audit.verify import audit_verify

    with connection.cursor() as c:
        for k, t in _counted_tables().items():
            c.execute(f"SELECT count(*) FROM {t}")
            report.counts[k] = c.fetchone()[0]
            if report.counts[k] != manifest["counts"][k]:
                report.problems.append(
                    f"{k}: 恢复 {report.counts[k]}，备份 {manifest['counts'][k]}"
                )
        c.execute(_attachment_sql())
        rows = c.fetchall()
    media = Path(settings.MEDIA_ROOT)
    for name, sha in rows:
        p = media / str(name)
        if not p.is_file():
            report.problems.append(f"附件缺失：{name}")
            continue
        h = hashlib.sha256()
        with p.open("rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
        if h.hexdigest() != sha:
            report.problems.append(f"附件内容与登记的校验和不符：{name}")
    report.attachments = len(rows)
    audit = audit_verify()
    report.audit_records = audit.checked
    report.problems.extend(f"审计链：{p}" for p in audit.problems[:20])
