"""DATEV LODAS ASCII import file (Bewegungsdaten of a month).

Windows-1252, CRLF, sections ``[Allgemein]``, ``[Satzbeschreibung]``, ``[Bewegungsdaten]``.
Record 10 (``u_lod_bwd_buchung_standard``) books the hours of each pay class as the office's
own Lohnart (``la_eigene``) with Bearbeitungsschlüssel ``bs_nr`` (1: hours) and the
Teilbudget's Kostenstelle; record 20 (``u_lod_psd_fehlzeiten``) reports vacation and
sickness days with a ``grund_fehlzeiten`` key. BeraterNr, MandantenNr, Lohnart numbers and
absence keys come from the export settings (``app.exports.settings``).

Field names follow the LODAS ASCII-Import handbook as quoted by public implementations
(``abrechnung_zeitraum#bwd``, ``bs_nr#bwd``, ``bs_wert_butab#bwd``, ``la_eigene#bwd``,
``pnr#bwd``, ``kostenstelle#bwd``; ``pnr#psd``, ``datum_von_ttmmjjjj#psd``,
``datum_bis_ttmmjjjj#psd``, ``grund_fehlzeiten#psd``); the handbook itself was not at hand,
so a payroll office should run a test import before the first real month.

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


def render(sheets: Sequence[Sheet], settings: dict[str, Any], month: str) -> bytes:
    period = _ddmmyyyy(month + "-01")
    out = ["[Allgemein]", "Ziel=LODAS", "Version_SST=1.0",
           f"BeraterNr={settings['berater_nr']}", f"MandantenNr={settings['mandanten_nr']}",
           "Datumsformat=TT/MM/JJJJ", "Feldtrennzeichen=;", "Zahlenkomma=,",
           "Kommentarzeichen=*", "",
           f"* Assistenzzeit: Bewegungsdaten {month[5:7]}/{month[:4]}", "",
           "[Satzbeschreibung]", SATZ_BUCHUNG, SATZ_FEHLZEIT, "", "[Bewegungsdaten]"]
    for sheet in sheets:
        doc = sheet.document
        pnr = doc["assistant"]["staff_number"]
        for line in doc["lines"]:
            out.append(f"10;{period};{settings['lodas_bs_nr']};{de_num(line['hours'])};"
                       f"{settings['lohnart_' + line['class']]};{pnr};"
                       f"{cost_center(doc, line['budget_id'])};")
        for absence in doc["absences"]:
            start, end = _clip(absence, month)
            out.append(f"20;{pnr};{_ddmmyyyy(start)};{_ddmmyyyy(end)};"
                       f"{settings['fehlzeit_' + absence['kind']]};")
    return ("\r\n".join(out) + "\r\n").encode("cp1252", errors="replace")


def write(sheets: Sequence[Sheet], settings: dict[str, Any], out_dir: Path,
          month: str) -> Path:
    path = Path(out_dir) / f"lodas-{month}.txt"
    path.write_bytes(render(sheets, settings, month))
    return path
