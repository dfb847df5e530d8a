"""``export_month``: every export of a month in one call, for the CLI and the Export screen.

    result = export_month(services, "2026-04", ["csv", "datev", "pdf"], out_dir)
    result.paths      # files written
    result.skipped    # plain sentences: what was left out and why

Formats: ``csv`` (payroll CSV), ``datev`` (LODAS), ``lexware``, ``pdf`` (one Stundennachweis
per assistant), ``bundle`` (one signed JSON per signed assistant), ``verwendung``
(Verwendungsnachweis CSV and PDF; ``period`` may be a quarter or a year, default the month).
Each assistant's month is taken from its latest signed version, or the current draft when
nothing is signed yet (the PDF and the Verwendungsnachweis say so; a bundle needs a
signature and is skipped). ``progress(done, total, label)`` is called after each step, so a
screen can show a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.timeutil import iso_month
from app.errors import InputError, NotFound
from app.exports import bundle as bundle_file
from app.exports import datev_lodas, lexware, payroll_csv, pdf_stundennachweis, verwendungsnachweis
from app.exports import settings as export_settings
from app.exports.common import ABSENCE_DE, Sheet
from app.store import timesheets
from app.store.services import Services

FORMATS = ("csv", "datev", "lexware", "pdf", "bundle", "verwendung")
# Longer names the Export screen uses for the same formats.
ALIASES = {"payroll_csv": "csv", "datev_lodas": "datev", "verwendungsnachweis": "verwendung",
           "lodas": "datev"}


@dataclass
class ExportResult:
    paths: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def sheet_of(services: Services, member_id: str, month: str) -> Sheet | None:
    """The month of one assistant as exports see it; None without a contract or entries."""
    rows = [r for r in timesheets.versions(services, member_id, month) if r["assistant_sig"]]
    current = timesheets.latest(services, member_id, month)
    if rows:
        row = rows[-1]
        status = row["status"]
        return Sheet(timesheets.stored_document(row) or {}, status, True,
                     timesheets.bundle(services, member_id, month, row["version"]))
    try:
        doc = timesheets.document_for(services, member_id, month)
    except InputError:
        return None  # no contract in that month: nothing to export
    if not doc["entries"] and not doc["paid_absence"]:
        return None
    return Sheet(doc, current["status"] if current else "draft", False, None)


def sheets(services: Services, month: str, member: str | None = None) -> list[Sheet]:
    if member is not None:
        ids = [services.member_by_name(member)["id"]]
    else:
        ids = [m["id"] for m in timesheets.assistants(services)]
    out = [s for s in (sheet_of(services, mid, month) for mid in ids) if s is not None]
    return sorted(out, key=lambda s: (s.document["assistant"]["staff_number"],
                                      s.document["assistant"]["name"]))


def export_month(services: Services, month: str, formats: Sequence[str], out_dir: Path,
                 member: str | None = None, *, period: str | None = None,
                 settings: dict[str, Any] | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> ExportResult:
    month = iso_month(month)
    formats = [ALIASES.get(f, f) for f in formats]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError("error.export.format", "format", format=unknown[0],
                         formats=", ".join(FORMATS))
    conf = settings or export_settings.load(services.store.directory)
    if "datev" in formats:  # before any file is written: no half an export
        export_settings.require_datev(conf, export_settings.path_for(services.store.directory))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    month_sheets = sheets(services, month, member)
    if not month_sheets and "verwendung" not in formats:
        raise NotFound("error.export.nothing", month=month)
    team = services.team()
    steps = len(formats) + (len(month_sheets) - 1 if "pdf" in formats else 0)
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, max(steps, 1), label)

    for fmt in formats:
        if fmt == "csv":
            result.paths.append(payroll_csv.write(month_sheets, conf, out, month))
        elif fmt == "datev":
            result.paths.append(datev_lodas.write(month_sheets, conf, out, month))
            _, unset = datev_lodas.absence_rows(month_sheets, conf, month)
            result.skipped += [f"LODAS: Fehlzeiten '{ABSENCE_DE.get(k, k)}' nicht gemeldet, "
                               f"fehlzeit_{k} ist nicht eingestellt (Lohnbüro-Einstellungen)."
                               for k in unset]
        elif fmt == "lexware":
            result.paths.append(lexware.write(month_sheets, conf, out, month))
        elif fmt == "pdf":
            for sheet in month_sheets:
                result.paths.append(pdf_stundennachweis.write(sheet, out, team["name"]))
                step(f"PDF {sheet.document['assistant']['name']}")
            continue
        elif fmt == "bundle":
            for sheet in month_sheets:
                if sheet.bundle is None:
                    result.skipped.append(f"{sheet.document['assistant']['name']}: noch nicht "
                                          "unterschrieben, keine signierte Datei.")
                else:
                    result.paths.append(bundle_file.write(sheet.bundle, out))
        elif fmt == "verwendung":
            result.paths += _verwendung(services, period or month, month, month_sheets, conf,
                                        out, member)
        step(fmt)
    return result


def _verwendung(services: Services, period: str, month: str, month_sheets: list[Sheet],
                conf: dict[str, Any], out: Path, member: str | None) -> list[Path]:
    months = verwendungsnachweis.months_of(period)
    by_month = {m: (month_sheets if m == month else sheets(services, m, member))
                for m in months}
    funders = {f["id"]: f for f in services.funders()}
    uses = verwendungsnachweis.compute(by_month, services.budgets(), funders, months,
                                       conf["minijob_employer"])
    team = services.team()
    employer = services.members("employer", include_inactive=True)
    holder = verwendungsnachweis.Holder(employer[0]["display_name"] if employer else "",
                                        team.get("holder_address") or "", team["name"])
    return verwendungsnachweis.write(uses, period.upper(), months, holder, out)
