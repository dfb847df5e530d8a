"""Lexware lohn+gehalt import: ``Jahr;Monat;Personalnummer;Lohnartnummer;Wert``.

One row per assistant and Lohnart with the hours of that pay class (Lexware takes the rate
from the Lohnart and the employee's master data). Windows-1252, ``;``, decimal comma, CRLF,
with the header row. Lines of the same class on different Teilbudgets are added up, since
this format has no cost centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.timesheet import LINE_CLASSES
from app.exports.common import Sheet, de_num

HEADER = "Jahr;Monat;Personalnummer;Lohnartnummer;Wert"


def render(sheets: Sequence[Sheet], settings: dict[str, Any]) -> bytes:
    lines = [HEADER]
    for sheet in sheets:
        doc = sheet.document
        hours: dict[str, Decimal] = {}
        for line in doc["lines"]:
            hours[line["class"]] = hours.get(line["class"], Decimal(0)) + Decimal(line["hours"])
        for cls in LINE_CLASSES:
            if hours.get(cls):
                lines.append(f"{doc['month'][:4]};{int(doc['month'][5:7])};"
                             f"{doc['assistant']['staff_number']};{settings[f'lohnart_{cls}']};"
                             f"{de_num(hours[cls])}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")


def write(sheets: Sequence[Sheet], settings: dict[str, Any], out_dir: Path,
          month: str) -> Path:
    path = Path(out_dir) / f"lexware-{month}.txt"
    path.write_bytes(render(sheets, settings))
    return path
