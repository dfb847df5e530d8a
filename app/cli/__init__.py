"""``assistenzzeit`` — the command line: app, relay, demo, pay, export, verify, ….

Each command family lives in its own module with a ``register(subparsers)`` function; this
module only assembles them and turns ``AssistenzzeitError`` into a one-line message and exit 2,
so a user never sees a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from collections.abc import Sequence

from app import settings
from app.errors import AssistenzzeitError

# Modules under app.cli that contribute commands, in the order `--help` lists them.
COMMAND_MODULES = [
    "app_cmd",
    "store_cmds",
    "pay_cmd",
    "ics_cmd",
    "timesheet_cmds",
    "sync_cmds",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistenzzeit",
        description="Assistenzzeit: Dienstplan, Zeiterfassung und Stundenzettel "
        "im Arbeitgebermodell.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"app.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except AssistenzzeitError as err:
        where = f" ({err.field})" if getattr(err, "field", None) else ""
        lang = settings.get("language")  # ASSISTENZZEIT_LANGUAGE; German by default
        print(f"assistenzzeit: {err.text(lang)}{where}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as err:
        # A damaged store file (or one that is not a store): a message, never a traceback.
        print(f"assistenzzeit: the store file cannot be read ({err}); "
              "'assistenzzeit check' names what is damaged", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
