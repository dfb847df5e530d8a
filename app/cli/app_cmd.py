"""``assistenzzeit app``: the app in local web mode (the machine is the device)."""

from __future__ import annotations

import argparse
from typing import Any

from app import settings
from app.cli.common import add_store_arg, store_dir


def register(sub: Any) -> None:
    p = sub.add_parser("app", help="start the app in local web mode (http://127.0.0.1:8550)")
    add_store_arg(p)
    p.add_argument("--port", type=int, default=None, help="port (default 8550)")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    p.set_defaults(handler=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    from app.main import run_web  # Flet is imported only when the app really starts

    run_web(store_dir(args), host=args.host or settings.get("host"),
            port=args.port or settings.get("port"), open_browser=not args.no_browser)
    return 0
