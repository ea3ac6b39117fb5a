"""A PostgreSQL cluster on a compressed btrfs volume in a loop file (issue 14, ADR 0028).

    sudo python bench/compressed_cluster.py up   --image /work/bigfs.img --mount /mnt/big \\
        --size 76G --port 5441 --compress zstd:1 [--shared-buffers 4GB]
    sudo python bench/compressed_cluster.py status --image /work/bigfs.img --mount /mnt/big --port 5441
    sudo python bench/compressed_cluster.py down --image /work/bigfs.img --mount /mnt/big [--delete]

``up`` (each step skipped when already done, so it also restarts a stopped cluster):
a sparse loop file of ``--size`` (``truncate``), ``mkfs.btrfs`` on it if it holds no
filesystem yet, ``mount -o loop,noatime,compress-force=ALG`` on ``--mount`` (``--compress
none``: no compression; ``lzo``, ``zstd:1`` … ``zstd:15``, ``zlib:N``), ``initdb`` of
``MOUNT/pg`` as the ``postgres`` user (trust on loopback only), the settings below appended
to its ``postgresql.conf``, and ``pg_ctl start`` listening on 127.0.0.1:PORT only.
``down``: ``pg_ctl stop -m fast``, ``umount``, and with ``--delete`` the loop file removed.
``--remount ALG`` with ``up`` changes the compression of a mounted volume for what is
written from then on (btrfs compresses at write time; what is on disk stays as it was).

The settings are those of a bulk-load benchmark machine (``--bulk``, the default): fsync on,
``wal_level = minimal``, ``synchronous_commit = off``. ``full_page_writes = off`` is safe on
a copy-on-write filesystem whatever the rest (btrfs and ZFS never write a page in place, so a
torn page cannot happen: ADR 0028); ``--production`` keeps ``synchronous_commit = on`` and
``wal_level = replica`` (streaming replicas and pgBackRest need it).
Needs root (loop devices, mount), btrfs-progs, and PostgreSQL's server binaries
(``/usr/lib/postgresql/15/bin`` or ``--bindir``). ``compsize`` (Debian: btrfs-compsize) tells
what a directory takes on disk: ``compsize -x MOUNT/pg/base/OID``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

_BULK = {
    "fsync": "on",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "checkpoint_timeout": "30min",
    "max_wal_size": "20GB",
    "jit": "off",
    "random_page_cost": "1.1",
}
_PRODUCTION = {
    "fsync": "on",
    "wal_level": "replica",
    "synchronous_commit": "on",
    "full_page_writes": "off",
    "checkpoint_timeout": "15min",
    "max_wal_size": "8GB",
    "random_page_cost": "1.1",
}


def _run(*cmd: str, user: str | None = None, check: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    if user:
        cmd = ("runuser", "-u", user, "--", *cmd)
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=check, text=True, capture_output=False)


def _out(*cmd: str) -> str:
    return subprocess.run(cmd, text=True, capture_output=True).stdout.strip()


def _mounted(mount: Path) -> bool:
    return any(
        line.split()[1] == str(mount) for line in Path("/proc/mounts").read_text().splitlines()
    )


def _options(compress: str, extra: str = "") -> str:
    opts = "loop,noatime"
    if compress != "none":
        opts += f",compress-force={compress}"
    return opts + (f",{extra}" if extra else "")


def _bindir(arg: str) -> Path:
    if arg:
        return Path(arg)
    for v in ("17", "16", "15"):
        p = Path(f"/usr/lib/postgresql/{v}/bin")
        if (p / "pg_ctl").exists():
            return p
    sys.exit("no PostgreSQL server binaries found: pass --bindir")


def _pg_running(pgdata: Path, bindir: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    r = subprocess.run(
        ["runuser", "-u", "postgres", "--", str(bindir / "pg_ctl"), "status", "-D", str(pgdata)],
        capture_output=True,
    )
    return r.returncode == 0


def up(args: argparse.Namespace) -> None:
    image, mount, bindir = Path(args.image), Path(args.mount), _bindir(args.bindir)
    pgdata = mount / "pg"
    if not image.exists():
        _run("truncate", "-s", args.size, str(image))
    if not _mounted(mount):
        if not _out("blkid", "-o", "value", "-s", "TYPE", str(image)):
            _run("mkfs.btrfs", "-q", "-L", mount.name[:16], str(image))
        mount.mkdir(parents=True, exist_ok=True)
        _run("mount", "-o", _options(args.compress, args.mount_options), str(image), str(mount))
    elif args.remount:
        alg = args.remount
        _run("mount", "-o", "remount," + ("compress=no" if alg == "none" else f"compress-force={alg}"), str(mount))  # fmt: skip
    pg = pwd.getpwnam("postgres")
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(exist_ok=True)
        os.chown(pgdata, pg.pw_uid, pg.pw_gid)
        os.chmod(pgdata, 0o700)
        _run(str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", user="postgres")  # fmt: skip
        settings = dict(_PRODUCTION if args.production else _BULK)
        settings.update(
            port=str(args.port),
            listen_addresses="'127.0.0.1'",
            unix_socket_directories="'/tmp'",
            shared_buffers=args.shared_buffers,
            maintenance_work_mem="1GB",
            work_mem="64MB",
        )
        with (pgdata / "postgresql.conf").open("a") as f:
            f.write("\n# compressed_cluster.py (issue 14, ADR 0028)\n")
            for k, v in settings.items():
                f.write(f"{k} = {v}\n")
    if not _pg_running(pgdata, bindir):
        log = mount / "log"
        log.mkdir(exist_ok=True)
        os.chown(log, pg.pw_uid, pg.pw_gid)
        _run(str(bindir / "pg_ctl"), "start", "-w", "-t", "300", "-D", str(pgdata),
             "-l", str(log / "postgresql.log"), user="postgres")  # fmt: skip
    status(args)


def down(args: argparse.Namespace) -> None:
    image, mount, bindir = Path(args.image), Path(args.mount), _bindir(args.bindir)
    pgdata = mount / "pg"
    if _mounted(mount) and _pg_running(pgdata, bindir):
        _run(str(bindir / "pg_ctl"), "stop", "-w", "-t", "300", "-m", "fast", "-D", str(pgdata),
             user="postgres")  # fmt: skip
    if _mounted(mount):
        _run("umount", str(mount))
    if args.delete and image.exists():
        print(f"+ rm {image}")
        image.unlink()


def status(args: argparse.Namespace) -> None:
    mount, bindir = Path(args.mount), _bindir(args.bindir)
    if not _mounted(mount):
        print(f"{mount}: not mounted")
        return
    for line in Path("/proc/mounts").read_text().splitlines():
        if line.split()[1] == str(mount):
            print(line)
    print(_out("df", "-h", str(mount)))
    pgdata = mount / "pg"
    print(f"{pgdata}: {'running' if _pg_running(pgdata, bindir) else 'stopped'}")
    if shutil.which("compsize") and (pgdata / "base").exists():
        print(_out("compsize", "-x", str(pgdata)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("action", choices=["up", "down", "status"])
    ap.add_argument("--image", required=True, help="the loop file (created sparse)")
    ap.add_argument("--mount", required=True, help="where to mount it; the cluster is MOUNT/pg")
    ap.add_argument("--size", default="20G", help="the loop file's size (truncate -s)")
    ap.add_argument("--port", type=int, default=5441)
    ap.add_argument("--compress", default="zstd:1", help="none, lzo, zstd:N, zlib:N")
    ap.add_argument("--remount", default="", help="up: change a mounted volume's compression")
    ap.add_argument("--mount-options", default="", help="more mount options, e.g. autodefrag")
    ap.add_argument("--shared-buffers", default="1GB")
    ap.add_argument("--production", action="store_true", help="durable settings, not bulk-load")
    ap.add_argument("--bindir", default="", help="PostgreSQL's bin directory")
    ap.add_argument("--delete", action="store_true", help="down: remove the loop file too")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (loop devices and mount)")
    {"up": up, "down": down, "status": status}[args.action](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
