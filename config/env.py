"""Read configuration from the environment (secrets never live in the code)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """Per-user data folder: $XINFANG_DATA_DIR, else $XDG_DATA_HOME/xinfang, else ~/.local/share/xinfang."""
    if d := os.environ.get("XINFANG_DATA_DIR"):
        return Path(d)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "xinfang"


def private_dir(folder: Path) -> None:
    """Create ``folder`` readable by the service user only (0700): it holds the petitioners'
    data and the keys (issue 11). A folder that already exists keeps its mode (an operator's
    choice; `xinfang check --deploy` reports an unsafe one)."""
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists. For the SQLite database this is
    what keeps its -wal and -shm private too: SQLite gives them the database file's mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    path.chmod(0o600)


def env_bool(name: str, default: bool) -> bool:
    v = os.environ.get(name)
    if v is None:
        return default
    return v.strip().lower() in {"1", "true", "yes", "on"}


def secret_key(folder: Path) -> str:
    """$XINFANG_SECRET_KEY, else a key generated once and kept in the data folder (embedded mode)."""
    if key := os.environ.get("XINFANG_SECRET_KEY"):
        return key
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_dir(folder)
    key = secrets.token_urlsafe(50)
    private_file(path)  # 0600 before the key is in it
    path.write_text(key)
    path.chmod(0o600)
    return key


def database(folder: Path) -> dict:
    """$XINFANG_DATABASE_URL (postgresql://user:pass@host:port/name, or several hosts for a
    Patroni cluster: postgresql://u:p@n1:5432,n2:5432,n3:5432/xinfang?target_session_attrs=read-write)
    or SQLite in the data folder. A command (migrate, tick, worker, backup) uses
    $XINFANG_DIRECT_DATABASE_URL instead when it is set: behind pgbouncer in transaction mode the
    tick's session advisory lock and long statements need a connection of their own (ADR 0015)."""
    url = os.environ.get("XINFANG_DATABASE_URL", "")
    direct = os.environ.get("XINFANG_DIRECT_DATABASE_URL", "")
    if direct and os.environ.get("XINFANG_COMMAND"):
        return postgres_database(direct, pooled=False)
    if url.startswith(("postgres://", "postgresql://")):
        return postgres_database(url, pooled=db_pool() == "transaction")
    if url:
        raise ValueError(f"XINFANG_DATABASE_URL must start with postgresql://, got {url[:20]!r}")
    private_dir(folder)
    private_file(folder / "xinfang.sqlite3")  # an empty file is an empty SQLite database
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(folder / "xinfang.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,  # seconds a writer waits for another (e.g. the search indexer)
        },
    }


def db_pool() -> str:
    """$XINFANG_DB_POOL: ``none`` (the default: the app holds its own connections) or
    ``transaction`` (pgbouncer in transaction mode between the app and PostgreSQL)."""
    mode = os.environ.get("XINFANG_DB_POOL", "none").strip().lower() or "none"
    if mode not in {"none", "transaction"}:
        raise ValueError(f"XINFANG_DB_POOL must be none or transaction, got {mode[:20]!r}")
    return mode


#: libpq parameters a database URL may carry in its query string.
LIBPQ_PARAMS = frozenset(
    {
        "target_session_attrs",
        "load_balance_hosts",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "application_name",
        "connect_timeout",
    }
)


def postgres_database(url: str, *, pooled: bool) -> dict:
    """Django's DATABASES entry for a PostgreSQL URL with one host or several (libpq tries them
    in order and, with ``target_session_attrs=read-write``, keeps the one that takes writes: after
    a Patroni failover the next connection finds the new primary by itself).

    ``pooled``: pgbouncer in transaction mode hands each transaction a server connection of its
    own, so the app keeps no state between transactions: no server-side cursors (``iterator()``
    declares one), and no ``options`` startup parameter (pgbouncer refuses it; its
    ``connect_query`` sets the same timeouts, deploy/pgbouncer/pgbouncer.ini)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    if not url.startswith(("postgres://", "postgresql://")):
        raise ValueError(f"a database URL must start with postgresql://, got {url[:20]!r}")
    u = urlsplit(url)
    userinfo, _, hostlist = u.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    hosts, ports = [], []
    for item in (hostlist or "127.0.0.1").split(","):
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "")
        if port and not (port.isascii() and port.isdigit()):  # "²" is isdigit() (revB #8)
            raise ValueError(f"bad port in database URL: {port[:10]!r}")
        hosts.append(unquote(host) or "127.0.0.1")
        ports.append(port or "5432")
    options = postgres_timeouts()
    for key, value in parse_qsl(u.query):
        if key not in LIBPQ_PARAMS:
            raise ValueError(f"unknown parameter in database URL: {key[:30]!r}")
        options[key] = int(value) if key == "connect_timeout" else value
    if pooled:
        options.pop("options")
    entry = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")) or "xinfang",
        "USER": unquote(user or "postgres"),
        "PASSWORD": unquote(password),
        "HOST": ",".join(hosts),
        "PORT": ",".join(ports),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }
    if pooled:
        entry["DISABLE_SERVER_SIDE_CURSORS"] = True
    return entry


def replica_database() -> dict | None:
    """$XINFANG_REPLICA_DATABASE_URL: a hot standby (or several, with
    ``target_session_attrs=prefer-standby``) that analytics, search and exports read from
    (xinfang.core.dbrouter). None: everything reads from the primary."""
    url = os.environ.get("XINFANG_REPLICA_DATABASE_URL", "")
    if not url:
        return None
    return postgres_database(url, pooled=db_pool() == "transaction")


def postgres_timeouts() -> dict:
    """libpq options so that a hung or unreachable database fails a request instead of
    holding its thread for ever: a connect timeout, a statement timeout (web requests; the
    commands lift it), TCP keepalives and a TCP user timeout for a server that vanished."""
    connect = int(os.environ.get("XINFANG_DB_CONNECT_TIMEOUT", "5"))
    statement = int(os.environ.get("XINFANG_DB_STATEMENT_TIMEOUT", "30"))
    if os.environ.get("XINFANG_COMMAND"):  # set by `xinfang migrate|worker|tick|backup|…`
        statement = 0
    opts = [f"-c statement_timeout={statement * 1000}"]
    if statement:
        # a request that dies inside a transaction must not hold its locks for long
        opts.append(f"-c idle_in_transaction_session_timeout={max(60, 2 * statement) * 1000}")
    return {
        "connect_timeout": max(2, connect),  # libpq's smallest useful value
        "options": " ".join(opts),
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": 60_000,
    }


def new_key() -> str:
    return secrets.token_urlsafe(50)


def _kept(folder: Path, name: str, make) -> str:  # type: ignore[no-untyped-def]
    """A value generated once and kept (mode 0600) in the data folder: the embedded mode."""
    path = folder / name
    if path.exists():
        return path.read_text().strip()
    private_dir(folder)
    value = make()
    private_file(path)  # 0600 before the value is in it
    path.write_text(value)
    path.chmod(0o600)
    return value


def field_keys(folder: Path) -> list[str]:
    """$XINFANG_FIELD_KEYS: comma-separated Fernet keys, the first encrypts, all decrypt
    (rotation: put a new key first, run `xinfang manage rotate_field_keys`, then drop the old).
    Else one key generated once in the data folder (embedded mode)."""
    if keys := os.environ.get("XINFANG_FIELD_KEYS"):
        return [k.strip() for k in keys.split(",") if k.strip()]
    import base64

    kept = _kept(folder, "field_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode())
    return [k.strip() for k in kept.split(",") if k.strip()]  # a restored file may hold several


def named_secret(folder: Path, env_name: str, file_name: str) -> str:
    """$<env_name>, else a random secret generated once in the data folder (embedded mode)."""
    if value := os.environ.get(env_name):
        return value
    return _kept(folder, file_name, lambda: secrets.token_urlsafe(48))
