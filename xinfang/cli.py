"""The ``xinfang`` command. Thin: each subcommand delegates to Django management commands.

xinfang demo [--port 8000] [--petitions 3000]   migrate, seed demo data once, print logins, serve
xinfang serve [--host 127.0.0.1] [--port 8000]  serve the app (waitress)
xinfang migrate                                 create or upgrade the database
xinfang token USERNAME                          issue an API token for a staff user
xinfang recompute-deadlines                     fold every open petition's events again
xinfang manage ARGS...                          any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys
import threading

DEMO_PASSWORD = "xinfang-demo-2026"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _warm_repeat_index() -> None:
    """Load or build the repeat index in the background, so the first petition page need not."""
    from xinfang.insight.matters.index import repeat_index_warm

    repeat_index_warm()


def _serve(host: str, port: int) -> None:
    from waitress import serve

    from config.wsgi import application
    from xinfang.workbench import indexer

    indexer.wake()  # petitions queued for the search index while no server ran
    _warm_repeat_index()
    print(f"xinfang 正在运行: http://{host}:{port}/   (Ctrl+C 停止)", flush=True)
    serve(application, host=host, port=port, threads=8, ident="xinfang")


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from xinfang.petitions.models import Petition

    print(f"数据目录: {settings.DATA_DIR}", flush=True)
    call_command("migrate", verbosity=0)
    if Petition.objects.exists():
        _print_logins()
        _serve(args.host, args.port)
        return 0
    # Serve at once (the pages answer while the data is generated; SQLite WAL lets readers in),
    # then fill the empty database.
    server = threading.Thread(target=_serve, args=(args.host, args.port), daemon=True)
    server.start()
    print(f"正在生成演示数据（{args.petitions} 件信访事项）…", flush=True)
    call_command("seed_demo", petitions=args.petitions, password=DEMO_PASSWORD)  # prints logins
    _train_demo_model()
    print(f"演示数据已就绪：http://{args.host}:{args.port}/", flush=True)
    try:
        while server.is_alive():
            server.join(1)
    except KeyboardInterrupt:
        pass
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
    _setup()
    _serve(args.host, args.port)
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
    sub.add_parser("migrate", help="create or upgrade the database").set_defaults(fn=cmd_migrate)
    t = sub.add_parser("token", help="issue an API token for a staff user")
    t.add_argument("username")
    t.add_argument("--name", default="cli")
    t.set_defaults(fn=cmd_token)
    sub.add_parser("recompute-deadlines", help="recompute open deadlines").set_defaults(
        fn=cmd_recompute
    )
    au = sub.add_parser("audit", help="verify [--expect-head SEQ:HASH]: check the audit chain")
    au.add_argument("what", choices=["verify"])
    au.add_argument("opts", nargs=argparse.REMAINDER)
    au.set_defaults(fn=lambda a: cmd_manage(argparse.Namespace(rest=[f"audit_{a.what}", *a.opts])))
    from xinfang.insight.classify.commands import add_parser as add_insight

    add_insight(sub)
    m = sub.add_parser("manage", help="run a Django management command")
    m.add_argument("rest", nargs=argparse.REMAINDER)
    m.set_defaults(fn=cmd_manage)
    args = p.parse_args(argv)
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
