"""``assistenzzeit`` — the command line: app, relay, demo, pay, export, verify, ….

Each command family lives in its own module with a ``register(subparsers)`` function; this
module only assembles them and turns ``AssistenzzeitError`` into a one-line message and exit 2,
so a user never sees a traceback.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import Any

from app import settings
from app.errors import AssistenzzeitError

Register = Callable[[Any], None]


# One small function per command family, importing its module only when called: together
# the families pull in SQLModel, fpdf/fontTools and icalendar (about 1,000 modules, seconds
# of startup), and e.g. `assistenzzeit pay` needs none of them.
def _app_cmd() -> Register:
    from app.cli import app_cmd
    return app_cmd.register


def _store_cmds() -> Register:
    from app.cli import store_cmds
    return store_cmds.register


def _pay_cmd() -> Register:
    from app.cli import pay_cmd
    return pay_cmd.register


def _ics_cmd() -> Register:
    from app.cli import ics_cmd
    return ics_cmd.register


def _timesheet_cmds() -> Register:
    from app.cli import timesheet_cmds
    return timesheet_cmds.register


def _sync_cmds() -> Register:
    from app.cli import sync_cmds
    return sync_cmds.register


FAMILIES: dict[str, Callable[[], Register]] = {
    "app_cmd": _app_cmd, "store_cmds": _store_cmds, "pay_cmd": _pay_cmd,
    "ics_cmd": _ics_cmd, "timesheet_cmds": _timesheet_cmds, "sync_cmds": _sync_cmds,
}
# Families that contribute commands, in the order `--help` lists them.
COMMAND_MODULES = list(FAMILIES)
# The family of each command (a test checks this against what the families register):
# running one command registers only its family; `--help` and unknown names load all.
COMMANDS = {
    "app": "app_cmd",
    "demo": "store_cmds", "members": "store_cmds", "clock": "store_cmds",
    "month": "store_cmds", "check": "store_cmds", "settings": "store_cmds",
    "pay": "pay_cmd",
    "ics": "ics_cmd", "ics-import": "ics_cmd",
    "timesheet": "timesheet_cmds", "export": "timesheet_cmds", "verify": "timesheet_cmds",
    "relay": "sync_cmds", "team": "sync_cmds", "sync": "sync_cmds",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every family, or with only ``command``'s family when it names one."""
    parser = argparse.ArgumentParser(
        prog="assistenzzeit",
        description="Assistenzzeit: Dienstplan, Zeiterfassung und Stundenzettel "
        "im Arbeitgebermodell.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    family = COMMANDS.get(command or "")
    names = [family] if family in COMMAND_MODULES else COMMAND_MODULES
    for name in names:
        FAMILIES[name]()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    # The top level has no options but -h: the first word is the command.
    parser = build_parser(given[0] if given else None)
    args = parser.parse_args(given)
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
