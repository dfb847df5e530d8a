"""Verwendungsnachweis: hours, gross and employer cost per Teilbudget; budget vs spent."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import InputError
from app.exports.run import export_month
from app.exports.verwendungsnachweis import employer_cost, months_of


def test_months_of_month_quarter_year() -> None:
    assert months_of("2026-04") == ["2026-04"]
    assert months_of("2026-q2") == ["2026-04", "2026-05", "2026-06"]
    assert len(months_of("2026")) == 12
    with pytest.raises(InputError) as err:
        months_of("2026-13")
    assert err.value.field == "period"


def test_employer_cost_uses_dated_levy_tables() -> None:
    # Household Minijob 2026: 5 + 5 + 2 + 1.1 + 0.22 + 1.6 = 14.92 %.
    assert employer_cost(Decimal("602.00"), "minijob", "2026-04", "household") == Decimal("89.82")
    # Commercial: 15 + 13 + 2 + 0.8 + 0.22 + 0.15 = 31.17 %.
    assert employer_cost(Decimal("100.00"), "minijob", "2026-04", "commercial") == Decimal("31.17")
    assert employer_cost(Decimal("1000.00"), "part_time", "2026-04", "household") == Decimal("212.00")


def test_verwendungsnachweis_quarter_csv_and_pdf(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok"),
                     ("Ben Meyer", "1001", "E3-corpus-christi-NW")])
    paths = export_month(cs.services, "2026-04", ["verwendung"], tmp_path,
                         period="2026-Q2").paths
    assert [p.name for p in paths] == ["verwendungsnachweis-2026-Q2.csv",
                                       "verwendungsnachweis-2026-Q2.pdf"]
    rows = list(csv.reader(io.StringIO(paths[0].read_bytes().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[0][:4] == ["Kostenträger", "Teilbudget", "Zeitraum", "Personalnummer"]
    by_name = {r[4]: r for r in rows[1:]}
    # Deniz: April, 658.00 gross (Minijob household levies 14.92 % → 98.17).
    assert by_name["Deniz Kaya"][5:] == ["Entwurf", "43,00", "658,00", "98,17", "756,17"]
    # Ben: June (Fronleichnam in NW), 270.00 gross, employer share 21.2 % → 57.24.
    assert by_name["Ben Meyer"][6:] == ["7,50", "270,00", "57,24", "327,24"]
    assert by_name["Budget"][-1] == "7500,00"  # 2500.00 × 3 months
    assert by_name["Summe ausgegeben"][-1] == "1083,41"
    assert by_name["Rest"][-1] == "6416,59"
    text = subprocess.run(["pdftotext", "-layout", str(paths[1]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Verwendungsnachweis 2026-Q2" in text
    assert "Eingliederungshilfe – Landschaftsverband Rheinland" in text
    assert "Deniz Kaya" in text and "756,17" in text and "6416,59" in text
