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
from app.exports.verwendungsnachweis import employer_cost, free_surcharges, months_of
from app.store import timesheets


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


def test_free_surcharges_leave_the_levy_base() -> None:
    # minijob-april-ok: 8 Sunday hours at 14 €/h × 50 % = 56.00 € free of tax and levies.
    doc = {"month": "2026-04", "contract": {"hourly_wage": "14.00", "surcharges": {
        "night25": "0.25", "night40": "0.40", "sunday50": "0.50", "holiday125": "1.25",
        "holiday150": "1.50"}},
           "lines": [{"class": "base", "budget_id": "b", "hours": "43.00"},
                     {"class": "sunday50", "budget_id": "b", "hours": "8.00"},
                     {"class": "night25", "budget_id": "other", "hours": "2.00"}]}
    assert free_surcharges(doc, "b") == Decimal("56.00")
    # A wage above 25 €/h: free only on 25 €/h, at most the §3b rate (contract pays 60 %).
    doc["contract"]["hourly_wage"] = "30.00"
    doc["contract"]["surcharges"]["sunday50"] = "0.60"
    assert free_surcharges(doc, "b") == Decimal("100.00")  # 8 × 25 × 0.50


def _table(path: Path) -> tuple[dict[str, str], list[list[str]], list[list[str]]]:
    """(header block, table rows with the column row first, trailing rows) of the CSV."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    first_blank = rows.index([])
    last_blank = len(rows) - 1 - rows[::-1].index([])
    return ({r[0]: r[1] for r in rows[:first_blank]}, rows[first_blank + 1:last_blank],
            rows[last_blank + 1:])


def test_verwendungsnachweis_quarter_csv_and_pdf(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok"),
                     ("Ben Meyer", "1001", "E3-corpus-christi-NW")])
    cs.services.update_team(holder_address="Severinstraße 12\n50678 Köln")
    timesheets.submit(cs.services, cs.members["Ben Meyer"], "2026-06")  # signed, not approved
    paths = export_month(cs.services, "2026-04", ["verwendung"], tmp_path,
                         period="2026-Q2").paths
    assert [p.name for p in paths] == ["verwendungsnachweis-2026-Q2.csv",
                                       "verwendungsnachweis-2026-Q2.pdf"]
    head, table, tail = _table(paths[0])
    assert head == {"Verwendungsnachweis": "2026-Q2", "Zeitraum": "01.04.2026 bis 30.06.2026",
                    "Budgetnehmer/in": "Anna Becker", "Anschrift": "Severinstraße 12, 50678 Köln",
                    "Team": "Assistenzteam Anna"}
    assert table[0][:7] == ["Kostenträger", "Aktenzeichen", "Teilbudget", "Monat",
                            "Personalnummer", "Name", "Stand"]
    by_name = {r[5]: r for r in table[1:]}
    assert by_name["Deniz Kaya"][:4] == ["Landschaftsverband Rheinland", "PB-2024-0815",
                                         "Eingliederungshilfe", "2026-04"]
    # Deniz: April, a draft; 658.00 gross of which the 56.00 Sunday surcharge is free, so the
    # household Minijob levies (14.92 %) fall on 602.00 → 89.82.
    assert by_name["Deniz Kaya"][6:] == ["Entwurf", "43,00", "658,00", "56,00", "89,82",
                                         "747,82"]
    # Ben: June (Fronleichnam in NW), signed only: 7.5 h at 16.00 → 120.00 base and
    # 150.00 holiday surcharge (125 %), all of it free (§3b rate, wage under 25 €/h); the
    # employer share (21.2 %) falls on the 120.00 → 25.44.
    assert by_name["Ben Meyer"][3] == "2026-06"
    assert by_name["Ben Meyer"][6:] == ["unterschrieben", "7,50", "270,00", "150,00", "25,44",
                                        "295,44"]
    assert by_name["Budget"][-1] == "7500,00"  # 2500.00 × 3 months
    assert by_name["Summe ausgegeben"][-1] == "1043,26"  # 747.82 + 295.44
    assert by_name["Rest"][-1] == "6456,74"
    assert [r[0] for r in tail] == ["Hinweis", "Hinweis", "Erklärung", "Ort, Datum",
                                    "Unterschrift Budgetnehmer/in oder gesetzliche Vertretung"]
    text = " ".join(subprocess.run(["pdftotext", str(paths[1]), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "Verwendungsnachweis 2026-Q2" in text
    assert "Eingliederungshilfe Kostenträger: Landschaftsverband Rheinland" in text
    assert "Aktenzeichen: PB-2024-0815" in text
    assert "Budgetnehmer/in: Anna Becker" in text and "Severinstraße 12, 50678 Köln" in text
    assert "Zeitraum: 01.04.2026 bis 30.06.2026" in text
    assert "04/2026 Entwurf" in text and "06/2026 unterschrieben" in text
    assert "Deniz Kaya" in text and "747,82" in text
    assert "Ich versichere" in text and "Ort, Datum" in text


def test_verwendungsnachweis_status_is_exact_per_month(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]

    def stand() -> str:
        path = export_month(cs.services, "2026-04", ["verwendung"], tmp_path).paths[0]
        return next(r[6] for r in _table(path)[1][1:] if r[5] == "Deniz Kaya")

    assert stand() == "Entwurf"
    timesheets.submit(cs.services, deniz, "2026-04")
    assert stand() == "unterschrieben"
    timesheets.approve(cs.services, deniz, "2026-04")
    assert stand() == "freigegeben"
    timesheets.mark_exported(cs.services, deniz, "2026-04")
    assert stand() == "freigegeben"
