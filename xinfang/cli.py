"""The ``xinfang`` command. Thin: each subcommand delegates to Django management commands.

xinfang demo [--port 8000] [--petitions 3000]   migrate, seed demo data once, print logins, serve
xinfang serve [--host 127.0.0.1] [--port 8000]  serve the app (gunicorn; waitress on Windows)
xinfang worker                                  run the background tasks (one per installation)
xinfang tick [--list] [--job NAME] [--force]    run the periodic jobs that are due (cron: each minute)
xinfang backup [--output DIR]                   one archive: database, attachments, keys, manifest
xinfang restore ARCHIVE                         bring a backup into an empty installation, verify it
xinfang check --deploy                          report every setting unsafe in production
xinfang migrate                                 create or upgrade the database
xinfang token USERNAME                          issue an API token for a staff user
xinfang recompute-deadlines                     fold every open petition's events again
xinfang manage ARGS...                          any Django management command
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

DEMO_PASSWORD = "xinfang-demo-2026"
#: The environment as given, for the processes `xinfang demo` starts.
_ENV0 = dict(os.environ)


def _setup(*, web: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if not web:
        # Commands may run long statements (migrate, backup, rebuilds): no statement timeout.
        os.environ["XINFANG_COMMAND"] = "1"
    import django

    django.setup()


def _child(*args: str, **env: str) -> subprocess.Popen:
    """Start ``xinfang ARGS`` as a child process (the demo's server and worker)."""
    return subprocess.Popen(
        [sys.executable, "-m", "xinfang.cli", *args], env={**_ENV0, **env}, start_new_session=False
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """Migrate, seed once, and run the server and the worker as child processes until Ctrl+C."""
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from xinfang.petitions.models import Petition

    print(f"数据目录: {settings.DATA_DIR}", flush=True)
    call_command("migrate", verbosity=0)
    quiet = {
        "XINFANG_ACCESS_LOG": _ENV0.get("XINFANG_ACCESS_LOG", "0"),
        "XINFANG_LOG_FORMAT": _ENV0.get("XINFANG_LOG_FORMAT", "console"),
        "XINFANG_WEB_WORKERS": _ENV0.get("XINFANG_WEB_WORKERS", "2"),
    }
    children = [_child("serve", "--host", args.host, "--port", str(args.port), **quiet)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if Petition.objects.exists():
            _print_logins()
        else:
            # The pages answer while the data is generated; the worker starts after it, so the
            # seed's batches never meet the search indexer's.
            print(f"正在生成演示数据（{args.petitions} 件信访事项）…", flush=True)
            call_command(
                "seed_demo", petitions=args.petitions, password=DEMO_PASSWORD, share_writes=True
            )
            _train_demo_model()
            print(f"演示数据已就绪：http://{args.host}:{args.port}/", flush=True)
        children.append(_child("worker", "--tick", "60", **quiet))
        while all(c.poll() is None for c in children):
            try:
                children[0].wait(1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        for c in children:
            if c.poll() is None:
                c.terminate()
        for c in children:
            try:
                c.wait(40)
            except subprocess.TimeoutExpired:
                c.kill()
    return 0


def _train_demo_model() -> None:
    """Train the topic model on the demo's own decided topics, so the desk suggests at once."""
    from xinfang.insight.classify.commands import default_model_path

    if default_model_path().exists():
        return
    print("正在用演示数据训练事项分类模型…", flush=True)
    from xinfang.insight.classify.commands import cmd_train

    cmd_train(argparse.Namespace(csv=None, model=str(default_model_path())))


def _print_logins() -> None:
    from xinfang.directory.models import Membership

    rows = (
        Membership.objects.select_related("user", "user__organ")
        .exclude(user__password__startswith="!")
        .order_by("user__organ__path", "user__username", "role")[:80]
    )
    print(f"\n演示账号（密码均为 {DEMO_PASSWORD}）:")
    seen = set()
    for m in rows:
        if m.user.username in seen:
            continue
        seen.add(m.user.username)
        organ = m.user.organ.name if m.user.organ else "—"
        print(f"  {m.user.username:<22} {m.get_role_display():<8} {organ}")
    print()


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from xinfang.ops.server import serve

    serve(host=args.host, port=args.port)
    return 0


def _delegate(command: str, *rest: str) -> int:
    """Run the management command ``command`` with ``rest`` (a non-web process)."""
    _setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(command, *rest)
    except CommandError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    return _delegate("import_petitions", *args.rest)


def cmd_worker(args: argparse.Namespace) -> int:
    return _delegate("worker", *args.rest)


def cmd_tick(args: argparse.Namespace) -> int:
    return _delegate("tick", *args.rest)


def cmd_backup(args: argparse.Namespace) -> int:
    return _delegate("backup", *args.rest)


def cmd_restore(args: argparse.Namespace) -> int:
    return _delegate("restore", *args.rest)


def cmd_check(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    opts = {"deploy": args.deploy, "fail_level": "WARNING"}
    if args.deploy:
        opts["databases"] = ["default"]
    try:
        call_command("check", **opts)
    except SystemCheckError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from xinfang.api.services import token_issue
    from xinfang.directory.models import User

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"没有用户 {args.username}", file=sys.stderr)
        return 2
    print(token_issue(user=user, name=args.name))
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    _setup()
    from xinfang.petitions.services.deadlines import deadline_recompute_open

    print(f"已重新计算 {deadline_recompute_open()} 件信访事项的期限")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["XINFANG_COMMAND"] = "1"  # a command: no statement timeout
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xinfang manage", *args.rest])
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="xinfang", description="信访工作平台")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo", help="migrate, seed demo data once, print logins and serve")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--petitions", type=int, default=3000)
    d.set_defaults(fn=cmd_demo)
    s = sub.add_parser("serve", help="serve the app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(fn=cmd_serve)
    passthrough = [
        (sub.add_parser("worker", help="run the background tasks", add_help=False), cmd_worker),
        (
            sub.add_parser("tick", help="run the periodic jobs that are due", add_help=False),
            cmd_tick,
        ),
        (sub.add_parser("backup", help="write a backup archive", add_help=False), cmd_backup),
        (sub.add_parser("restore", help="restore a backup archive", add_help=False), cmd_restore),
        (
            sub.add_parser(
                "import",
                help="import petitions of the past: FILE --source NAME [--mapping M] [--dry-run]",
                add_help=False,
            ),
            cmd_import,
        ),
    ]
    for w, fn in passthrough:  # their options are the management command's
        w.add_argument("rest", nargs=argparse.REMAINDER)
        w.set_defaults(fn=fn)
    c = sub.add_parser("check", help="check the settings (--deploy: for production)")
    c.add_argument("--deploy", action="store_true")
    c.set_defaults(fn=cmd_check)
    sub.add_parser("migrate", help="create or upgrade the database").set_defaults(fn=cmd_migrate)
    t = sub.add_parser("token", help="issue an API token for a staff user")
    t.add_argument("username")
    t.add_argument("--name", default="cli")
    t.set_defaults(fn=cmd_token)
    sub.add_parser("recompute-deadlines", help="recompute open deadlines").set_defaults(
        fn=cmd_recompute
    )
    au = sub.add_parser(
        "audit",
        help="verify [--expect-head C.SEQ:HASH] [--no-anchor]: check the audit chains; "
        "anchor: write the signed heads now; seal: seal rows from before sealing (once)",
    )
    au.add_argument("what", choices=["verify", "anchor", "seal"])
    au.add_argument("opts", nargs=argparse.REMAINDER)
    au.set_defaults(fn=lambda a: cmd_manage(argparse.Namespace(rest=[f"audit_{a.what}", *a.opts])))
    from xinfang.insight.classify.commands import add_parser as add_insight

    add_insight(sub)
    m = sub.add_parser("manage", help="run a Django management command")
    m.add_argument("rest", nargs=argparse.REMAINDER)
    m.set_defaults(fn=cmd_manage)
    args, extra = p.parse_known_args(argv)
    if extra:
        if not hasattr(args, "rest"):
            p.error(f"unrecognized arguments: {' '.join(extra)}")
        args.rest = [*extra, *args.rest]
    # Everything xinfang writes (database, keys, attachments, backups) is the service's own.
    os.umask(0o077)
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
