"""``assistenzzeit ics`` prints a calendar feed; ``assistenzzeit ics-import`` reads the
employer's appointments from an .ics file. Both act as the store's own member."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.calendar.feeds import build_feed, parse_day
from app.calendar.ics_import import import_ics
from app.cli.common import add_store_arg, open_services
from app.errors import InputError


def register(sub: Any) -> None:
    p = sub.add_parser("ics", help="print a calendar feed (iCalendar) of shifts")
    add_store_arg(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--member", help="name or id: that member's own shifts")
    which.add_argument("--team", action="store_true", help="all shifts (employer, proxy)")
    which.add_argument("--open", action="store_true", help="open shifts anyone may claim")
    p.add_argument("--from", dest="start", help="first day YYYY-MM-DD (default: 30 days ago)")
    p.add_argument("--to", dest="end", help="last day YYYY-MM-DD (default: in a year)")
    p.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_ics)

    p = sub.add_parser("ics-import", help="import the employer's appointments from an .ics")
    p.add_argument("file", type=Path, help="the .ics file")
    add_store_arg(p)
    p.add_argument("--from", dest="start", help="expand recurring events from this day")
    p.add_argument("--to", dest="end", help="… up to this day")
    p.set_defaults(handler=cmd_ics_import)


def cmd_ics(args: argparse.Namespace) -> int:
    start, end = parse_day(args.start, "from"), parse_day(args.end, "to")
    with open_services(args) as services:
        if args.member:
            feed = build_feed(services, "member", services.member_by_name(args.member)["id"],
                              start=start, end=end)
        else:
            feed = build_feed(services, "team" if args.team else "open", start=start, end=end)
    if args.output:
        args.output.write_bytes(feed.body)
    else:
        sys.stdout.write(feed.body.decode("utf-8"))
    return 0


def cmd_ics_import(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as err:
        raise InputError("error.file.unreadable", "file", path=args.file,
                         reason=err.strerror) from err
    first, last = parse_day(args.start, "from"), parse_day(args.end, "to")
    with open_services(args) as services:
        result = import_ics(services, data, first=first, last=last)
    print(f"{result.added} Termine neu, {result.updated} geändert, {result.unchanged} "
          f"unverändert, {result.removed} entfernt.")
    return 0
