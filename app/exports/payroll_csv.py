"""Payroll CSV for a payroll office: one row per assistant, pay class and Kostenstelle.

UTF-8 with BOM (so spreadsheet programs detect the encoding), ``;`` as separator, decimal
comma, CRLF. Columns: Personalnummer;Name;Monat;Lohnart;Bezeichnung;Stunden;Satz;Betrag;
Kostenstelle. ``Satz`` is euros per hour of that class (for a surcharge: wage × rate),
``Betrag`` the line's amount; the amounts of one assistant add up to the gross of the
signed document.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.exports.common import LABELS_DE, Sheet, cost_center, de_num, mm_yyyy

COLUMNS = ("Personalnummer", "Name", "Monat", "Lohnart", "Bezeichnung", "Stunden", "Satz",
           "Betrag", "Kostenstelle")


def rows(sheets: Sequence[Sheet], settings: dict[str, Any]) -> list[list[str]]:
    out = []
    for sheet in sheets:
        doc = sheet.document
        who = doc["assistant"]
        for line in doc["lines"]:
            out.append([who["staff_number"], who["name"], mm_yyyy(doc["month"]),
                        settings[f"lohnart_{line['class']}"], LABELS_DE[line["class"]],
                        de_num(line["hours"]), de_num(line["rate"]), de_num(line["amount"]),
                        cost_center(doc, line["budget_id"])])
    return out


def render(sheets: Sequence[Sheet], settings: dict[str, Any]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(sheets, settings))
    return buf.getvalue().encode("utf-8-sig")


def write(sheets: Sequence[Sheet], settings: dict[str, Any], out_dir: Path,
          month: str) -> Path:
    path = Path(out_dir) / f"lohn-{month}.csv"
    path.write_bytes(render(sheets, settings))
    return path
