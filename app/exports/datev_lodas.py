"""DATEV LODAS ASCII import file: a month's hours (Bewegungsdaten) and absences.

Windows-1252, CRLF, sections ``[Allgemein]``, ``[Satzbeschreibung]``, ``[Bewegungsdaten]``
and, when absences are reported, ``[Stammdaten]``. Record 10
(``u_lod_bwd_buchung_standard``, a *Bewegungsdaten* table: ``#bwd``) books the hours of each
pay class as the office's own Lohnart (``la_eigene``) with Bearbeitungsschlüssel ``bs_nr``
(1: hours) and the Teilbudget's Kostenstelle. Record 20 (``u_lod_psd_fehlzeiten``) is a
*Personalstammdaten* table (``#psd``): its rows go under ``[Stammdaten]``, and
``[Allgemein]`` then names the date they are valid from (``StammdatenGueltigAb``, the first
of the month). ``grund_fehlzeiten`` is a number from DATEV's key list, which each payroll
office gives (``fehlzeit_*`` settings); an absence kind without a number is left out of the
file and ``run.export_month`` says so — its paid hours are still booked as Lohnart lines.

BeraterNr and MandantenNr must be set (``settings.require_datev``): a file without them is
refused, not written. Sources followed and where they are thin: README, "DATEV LODAS".

Example line: ``10;01/04/2026;1;43,00;100;1001;EGH;`` — April 2026, hours, 43 h, Lohnart 100,
Personalnummer 1001, Kostenstelle EGH.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.exports.common import Sheet, cost_center, de_num
from app.exports.settings import require_datev

SATZ_BUCHUNG = ("10;u_lod_bwd_buchung_standard;abrechnung_zeitraum#bwd;bs_nr#bwd;"
                "bs_wert_butab#bwd;la_eigene#bwd;pnr#bwd;kostenstelle#bwd;")
SATZ_FEHLZEIT = ("20;u_lod_psd_fehlzeiten;pnr#psd;datum_von_ttmmjjjj#psd;"
                 "datum_bis_ttmmjjjj#psd;grund_fehlzeiten#psd;")


def _ddmmyyyy(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _clip(absence: dict[str, Any], month: str) -> tuple[str, str]:
    """The part of an absence inside the month."""
    year, mon = int(month[:4]), int(month[5:7])
    last = f"{month}-{calendar.monthrange(year, mon)[1]:02d}"
    return max(absence["start_date"], month + "-01"), min(absence["end_date"], last)


def absence_rows(sheets: Sequence[Sheet], settings: dict[str, Any],
                 month: str) -> tuple[list[str], list[str]]:
    """Record-20 rows of the month, and the absence kinds left out for want of a key."""
    rows: list[str] = []
    unset: list[str] = []
    for sheet in sheets:
        pnr = sheet.document["assistant"]["staff_number"]
        for absence in sheet.document["absences"]:
            key = settings.get(f"fehlzeit_{absence['kind']}", "")
            if not key:
                unset.append(absence["kind"])
                continue
            start, end = _clip(absence, month)
            rows.append(f"20;{pnr};{_ddmmyyyy(start)};{_ddmmyyyy(end)};{key};")
    return rows, sorted(set(unset))


def render(sheets: Sequence[Sheet], settings: dict[str, Any], month: str) -> bytes:
    require_datev(settings)
    period = _ddmmyyyy(month + "-01")
    absences, _ = absence_rows(sheets, settings, month)
    out = ["[Allgemein]", "Ziel=LODAS", "Version_SST=1.0",
           f"BeraterNr={settings['berater_nr']}", f"MandantenNr={settings['mandanten_nr']}",
           "Datumsformat=TT/MM/JJJJ", "Feldtrennzeichen=;", "Zahlenkomma=,",
           "Kommentarzeichen=*"]
    if absences:
        out.append(f"StammdatenGueltigAb={period}")
    out += ["", f"* Assistenzzeit: Bewegungsdaten {month[5:7]}/{month[:4]}", "",
            "[Satzbeschreibung]", SATZ_BUCHUNG, *([SATZ_FEHLZEIT] if absences else []), "",
            "[Bewegungsdaten]"]
    for sheet in sheets:
        doc = sheet.document
        pnr = doc["assistant"]["staff_number"]
        for line in doc["lines"]:
            out.append(f"10;{period};{settings['lodas_bs_nr']};{de_num(line['hours'])};"
                       f"{settings['lohnart_' + line['class']]};{pnr};"
                       f"{cost_center(doc, line['budget_id'])};")
    if absences:
        out += ["", "[Stammdaten]", *absences]
    return ("\r\n".join(out) + "\r\n").encode("cp1252", errors="replace")


def write(sheets: Sequence[Sheet], settings: dict[str, Any], out_dir: Path,
          month: str) -> Path:
    path = Path(out_dir) / f"lodas-{month}.txt"
    path.write_bytes(render(sheets, settings, month))
    return path
