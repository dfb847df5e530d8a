"""Commands on the local store for scripting: demo, members, clock, month, check."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app import settings
from app.cli.common import add_store_arg, open_services, passphrase, store_dir
from app.store import demo
from app.store.services import Services
from app.store.store import Store


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="create a store with the demo team")
    add_store_arg(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("members", help="list the team's members")
    add_store_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_members)

    p = sub.add_parser("clock", help="clock a member in or out")
    p.add_argument("action", choices=["in", "out", "break-start", "break-end"])
    add_store_arg(p)
    p.add_argument("--member", required=True, help="name or id of the member")
    p.add_argument("--note", default="", help="a note on the entry")
    p.set_defaults(handler=cmd_clock)

    p = sub.add_parser("month", help="a member's entries and hours in a month")
    add_store_arg(p)
    p.add_argument("--member", required=True)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_month)

    p = sub.add_parser("check", help="verify every envelope of the store")
    add_store_arg(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("settings", help="list the settings and their variables")
    p.add_argument("--markdown", action="store_true")
    p.set_defaults(handler=cmd_settings)


def cmd_demo(args: argparse.Namespace) -> int:
    store = Store.create(store_dir(args), passphrase(confirm=True), kdf_n=settings.get("kdf_n"))
    try:
        services = Services(store)
        ids = demo.build(services, store.clock().date())
        print(f"Demo team created in {store_dir(args)}: {len(ids['assistants'])} assistants, "
              f"{ids['shifts']} shifts.")
    finally:
        store.close()
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        rows = [{"id": m["id"], "name": m["display_name"], "role": m["role"]}
                for m in services.members()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['name']:<30} {r['role']:<10} {r['id']}")
    return 0


def cmd_clock(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        member = services.member_by_name(args.member)
        with services.store.acting_as(member["id"]):
            if args.action == "in":
                entry = services.clock_in(member["id"], note=args.note)
                print(f"clocked in {member['display_name']} entry {entry} at {services.now()}")
            elif args.action == "out":
                entry = services.clock_out(member["id"], note=args.note)
                print(f"clocked out {member['display_name']} entry {entry} at {services.now()}")
            elif args.action == "break-start":
                services.start_break(member["id"])
                print(f"break started for {member['display_name']}")
            else:
                services.end_break(member["id"])
                print(f"break ended for {member['display_name']}")
        sys.stdout.flush()
    return 0


def cmd_month(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        member = services.member_by_name(args.member)
        summary = services.month_summary(member["id"], args.month)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{summary['member']} {summary['month']}: {summary['hours']} h")
        for e in summary["entries"]:
            print(f"  {e['start']} – {e['end'] or 'läuft'}  {e['note']}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    store = Store.open(store_dir(args))
    try:
        damaged = store.verify_all(passphrase())
        count = store.envelope_count()
    finally:
        store.close()
    for d in damaged:
        print(f"damaged: {d.envelope}: {d.reason}")
    print(f"{count} envelopes checked, {len(damaged)} damaged")
    return 1 if damaged else 0


def cmd_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings.markdown(), end="")
    else:
        for s in settings.SETTINGS:
            print(f"{s.env:<36} {s.help}")
    return 0
