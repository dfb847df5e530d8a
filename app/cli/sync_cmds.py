"""Sync commands: run a relay, invite/join/approve/revoke devices, sync a store.

    assistenzzeit relay [--db URL] [--host H] [--port N]
    assistenzzeit team invite --store DIR --relay URL --role R --name N     (prints the code)
    assistenzzeit team join CODE --store DIR --name N
    assistenzzeit team approve --store DIR [--all]
    assistenzzeit team revoke --store DIR (--member NAME | --device ID)
    assistenzzeit team quarantine --store DIR                    (envelopes set aside)
    assistenzzeit sync --store DIR
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app import settings
from app.cli.common import add_store_arg, open_services, passphrase, store_dir


def register(sub: Any) -> None:
    p = sub.add_parser("relay", help="run the sync relay (SQLite by default, or PostgreSQL)")
    p.add_argument("--db", default="relay.db",
                   help="SQLite file or URL, or postgresql://user@host:port/db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--rate", type=float, default=200.0, help="requests per second per device")
    p.set_defaults(handler=cmd_relay)

    team = sub.add_parser("team", help="invite, join, approve and revoke devices")
    tsub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    p = tsub.add_parser("invite", help="make an invite code for a person")
    add_store_arg(p)
    p.add_argument("--relay", default=None, help="relay URL (kept in the store)")
    p.add_argument("--role", required=True, choices=["assistant", "proxy", "payroll",
                                                      "employer"])
    p.add_argument("--name", required=True, help="the person's name (new or existing member)")
    p.add_argument("--qr", default=None, help="also write the QR code to this .svg/.png file")
    p.set_defaults(handler=cmd_invite)

    p = tsub.add_parser("join", help="join a team on this device with an invite code")
    p.add_argument("code")
    add_store_arg(p)
    p.add_argument("--name", required=True, help="your name, shown to the employer")
    p.set_defaults(handler=cmd_join)

    p = tsub.add_parser("approve", help="approve devices waiting to join")
    add_store_arg(p)
    p.add_argument("--all", action="store_true", help="approve every waiting device")
    p.set_defaults(handler=cmd_approve)

    p = tsub.add_parser("revoke", help="revoke a device (lost phone) or a member")
    add_store_arg(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--member", help="name or id of the member")
    g.add_argument("--device", help="id of the device")
    p.set_defaults(handler=cmd_revoke)

    p = tsub.add_parser("quarantine", help="list envelopes of others that do not open")
    add_store_arg(p)
    p.set_defaults(handler=cmd_quarantine)

    p = sub.add_parser("sync", help="sync the store with its relay")
    add_store_arg(p)
    p.set_defaults(handler=cmd_sync)


def cmd_relay(args: argparse.Namespace) -> int:
    import uvicorn

    from app.sync.relay_app import create_app

    app = create_app(args.db, rate=args.rate, burst=args.rate * 2)
    print(f"relay listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _client(services: Any, relay: str | None = None) -> Any:
    from app.sync.client import SyncClient

    store = services.store
    if relay:
        store.set_relay_url(relay.rstrip("/"))
    return SyncClient(store)


def cmd_invite(args: argparse.Namespace) -> int:
    from app.sync.pairing import create_invite

    with open_services(args) as services, _client(services, args.relay) as client:
        invite = create_invite(services, client, args.role, args.name)
        if args.qr:
            if str(args.qr).endswith(".png"):
                import segno
                segno.make(invite.code, error="m").save(args.qr, scale=6)
            else:
                with open(args.qr, "w", encoding="utf-8") as fh:
                    fh.write(invite.qr_svg())
    print(invite.code)
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    from app.sync.pairing import join_with_code

    joined = join_with_code(store_dir(args), passphrase(confirm=True), args.code, args.name,
                            kdf_n=settings.get("kdf_n"))
    joined.store.close()
    print(f"Beitrittsanfrage gesendet. Sicherheitsnummer: {joined.safety_number}\n"
          f"Join request sent. Safety number: {joined.safety_number}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from app.sync.pairing import approve, pending_requests

    with open_services(args) as services, _client(services) as client:
        client.sync()
        requests = pending_requests(services, client)
        if not requests:
            print("Keine wartenden Geräte. / No devices waiting.")
        for req in requests:
            line = (f"{req.device}  {req.member_name} ({req.role}), says '{req.said_name}', "
                    f"safety number {req.safety_number}")
            ok = args.all
            if not ok and sys.stdin.isatty():
                ok = input(f"{line}\nApprove? [y/N] ").strip().lower() in ("y", "j", "yes", "ja")
            if ok:
                keys = approve(services, client, req)
                print(f"approved: {line}; {keys} keys handed over")
            else:
                print(f"waiting:  {line} (use --all to approve)")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from app.errors import SyncError
    from app.sync.membership import revoke_device, revoke_member

    # Offline-first: no pull before. The revocation is committed here and pushed at once
    # (``membership._rotate``), whatever else the relay holds; the sync after is a courtesy.
    with open_services(args) as services, _client(services) as client:
        if args.member:
            member = services.member_by_name(args.member)
            rotated = revoke_member(services, client, str(member["id"]))
        else:
            rotated = revoke_device(services, client, args.device)
        print(f"revoked; new keys for: {', '.join(rotated) or '-'}")
        try:
            client.sync()
        except SyncError as err:
            print(f"Gesperrt und gesendet; der Abgleich danach schlug fehl: {err}\n"
                  f"Revoked and sent; the sync after it failed: {err}", file=sys.stderr)
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from app.sync.device_sync import quarantined

    with open_services(args) as services:
        items = quarantined(services)
    if not items:
        print("Nichts zurückgestellt. / Nothing in quarantine.")
    for q in items:
        who = f"{q['name'] or '?'} ({q['label']}){' [revoked]' if q['revoked'] else ''}"
        print(f"{q['device']}  #{q['seq']}  {q['scope']}/{q['epoch']}  {q['kind']}  "
              f"by {who}: {q['reason']}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    with open_services(args) as services, _client(services) as client:
        report = client.sync()
        print(report.summary())
    return 0
