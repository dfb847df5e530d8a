"""The payroll and Lexware files open with Python's csv module: columns, decimal commas."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from app.exports.payroll_csv import COLUMNS
from app.exports.run import export_month


def _rows(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline=""),
                               delimiter=";"))


def test_payroll_csv_has_bom_columns_and_decimal_commas(case_store, tmp_path: Path) -> None:
    cs = case_store([("Ben Meyer", "1001", "E1-sunday-night"),
                     ("Jörg Übel", "1002", "midnight-start")])
    path = export_month(cs.services, "2026-03", ["csv"], tmp_path).paths[0]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = _rows(path, "utf-8-sig")
    assert tuple(rows[0].keys()) == COLUMNS
    ben = [r for r in rows if r["Personalnummer"] == "1001"]
    assert [(r["Lohnart"], r["Bezeichnung"], r["Stunden"], r["Satz"], r["Betrag"]) for r in ben] == [
        ("100", "Grundlohn", "8,00", "16,00", "128,00"),
        ("201", "Nachtzuschlag 25 %", "4,00", "4,00", "16,00"),
        ("202", "Nachtzuschlag 40 %", "4,00", "6,40", "25,60"),
        ("203", "Sonntagszuschlag 50 %", "6,00", "8,00", "48,00"),
    ]
    assert {r["Monat"] for r in rows} == {"03/2026"}
    assert {r["Kostenstelle"] for r in rows} == {"EGH"}
    assert {r["Name"] for r in rows} == {"Ben Meyer", "Jörg Übel"}
    total = sum(Decimal(r["Betrag"].replace(",", ".")) for r in ben)
    assert total == Decimal("217.60")  # the fixture's gross
    assert all("." not in r["Betrag"] and "," in r["Betrag"] for r in rows)


def test_lexware_rows_are_hours_per_lohnart_in_cp1252(case_store, tmp_path: Path) -> None:
    cs = case_store([("Jörg Übel", "1003", "minijob-april-ok")])
    path = export_month(cs.services, "2026-04", ["lexware"], tmp_path).paths[0]
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and not raw.startswith(b"\xef\xbb\xbf")
    rows = _rows(path, "cp1252")
    assert tuple(rows[0].keys()) == ("Jahr", "Monat", "Personalnummer", "Lohnartnummer", "Wert")
    assert [tuple(r.values()) for r in rows] == [("2026", "4", "1003", "100", "43,00"),
                                                 ("2026", "4", "1003", "203", "8,00")]
