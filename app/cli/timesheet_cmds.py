"""Commands for signed timesheets and exports: ``timesheet``, ``export``, ``verify``.

    assistenzzeit timesheet submit|approve|reject|reopen|export-done --store DIR
                  --member NAME --month YYYY-MM [--by NAME] [--comment TEXT]
    assistenzzeit export --store DIR --month YYYY-MM --format csv,datev,… --out DIR
                  [--member NAME] [--period 2026-Q2] [--mark-exported]
    assistenzzeit verify FILE        exit 0 valid, 1 invalid (with the reason)

``--by`` names who approves, rejects or reopens (employer or proxy; default: the owner of
this store). ``verify`` needs no store: it works offline on a bundle or a PDF.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app import settings
from app.cli.common import add_store_arg, open_services
from app.errors import InputError
from app.exports import verify as verifier
from app.exports.run import FORMATS, export_month
from app.store import timesheets

ACTIONS = ("submit", "approve", "reject", "reopen", "export-done")


def register(sub: Any) -> None:
    p = sub.add_parser("timesheet", help="sign, approve, reject or reopen a month")
    p.add_argument("action", choices=ACTIONS)
    add_store_arg(p)
    p.add_argument("--member", required=True, help="the assistant (name or id)")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--by", default=None,
                   help="employer or proxy who approves/rejects/reopens (default: store owner)")
    p.add_argument("--comment", default="", help="comment (required for reject)")
    p.set_defaults(handler=cmd_timesheet)

    p = sub.add_parser("export", help="write payroll, PDF and funder exports of a month")
    add_store_arg(p)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--format", required=True,
                   help=f"one or more of {', '.join(FORMATS)}, comma-separated, or 'all'")
    p.add_argument("--out", required=True, type=Path, help="folder for the files")
    p.add_argument("--member", default=None, help="only this assistant")
    p.add_argument("--period", default=None,
                   help="period of the Verwendungsnachweis: YYYY-MM, YYYY-Qn or YYYY")
    p.add_argument("--mark-exported", action="store_true",
                   help="mark the approved months as exported")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("verify", help="verify a signed bundle or PDF Stundennachweis")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_verify)


def cmd_timesheet(args: argparse.Namespace) -> int:
    with open_services(args) as services:
        member = services.member_by_name(args.member)
        by = services.member_by_name(args.by)["id"] if args.by else None
        mid, month = member["id"], args.month
        if args.action == "submit":
            row = timesheets.submit(services, mid, month)
        elif args.action == "approve":
            row = timesheets.approve(services, mid, month, args.comment, by=by)
        elif args.action == "reject":
            row = timesheets.reject(services, mid, month, args.comment, by=by)
        elif args.action == "reopen":
            row = timesheets.reopen(services, mid, month, args.comment, by=by)
        else:
            row = timesheets.mark_exported(services, mid, month, by=by)
        print(f"{member['display_name']} {month}: version {row['version']} {row['status']}"
              + (f", SHA-256 {row['doc_hash']}" if row.get("doc_hash") else ""))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    formats = (list(FORMATS) if args.format.strip() == "all"
               else [f.strip() for f in args.format.split(",") if f.strip()])
    with open_services(args) as services:
        try:
            result = export_month(services, args.month, formats, args.out, args.member,
                                  period=args.period)
        except OSError as err:  # a folder that cannot be made or written: say which
            raise InputError("error.export.folder", "out", folder=args.out,
                             reason=err.strerror or err) from err
        if args.mark_exported:
            for a in timesheets.assistants(services):
                if timesheets.status(services, a["id"], args.month) == "approved":
                    timesheets.mark_exported(services, a["id"], args.month)
    for path in result.paths:
        print(path)
    for note in result.skipped:
        print(f"assistenzzeit: note: {note}", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    verdict = verifier.verify(args.file)
    lang = settings.get("language")  # ASSISTENZZEIT_LANGUAGE
    print(verdict.text(lang), file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if verdict.ok else 1
