"""Paid absence in every format (issue 15): a sick night shift keeps its night surcharges
(Lohnausfallprinzip) as their own Lohnart lines, and a vacation day with recorded work is
paid once — the worked hours as work, the absence only for the planned hours not worked —
with an ``ABSENCE_OVERLAP`` warning in the roster, the timesheet and the PDF.

March 2026 in NW at 16 €/h, contract since 1 January (past the EFZG waiting time):

* planned Mon 9 March 22:00–06:00, sick on 9 March → absence 8 h × 16 = 128.00,
  continued night25 4 h × 4.00 = 16.00 and night40 4 h × 6.40 = 25.60;
* worked Sun 15 March 10:00–14:00 → base 4 h, sunday50 4 h × 8.00 = 32.00;
* planned Mon 16 March 08:00–16:00, vacation on 16 March, worked 08:00–11:00 → base 3 h
  as work, absence 11:00–16:00 = 5 h; not 8 h of absence on top of the 3 h.

Gross 7 × 16 + 32 + 13 × 16 + 16 + 25.60 = 393.60.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.exports import settings as export_settings
from app.exports.run import export_month
from app.store import reports, timesheets
from app.store.services import Services
from app.store.store import Store
from app.views import roster
from app.views import timesheet as timesheet_view
from app.views.state import StoreHolder
from tests.exports.conftest import PASSPHRASE, FixedClock
from tests.views.conftest import app_for, texts

SETTINGS = {**export_settings.defaults(), "berater_nr": "12345", "mandanten_nr": "678",
            "fehlzeit_sick": "2", "fehlzeit_vacation": "1"}  # test values for the keys
EXPECTED = {  # class → (hours, rate, amount) as the CSV shows them
    "100": ("7,00", "16,00", "112,00"), "203": ("4,00", "8,00", "32,00"),
    "400": ("13,00", "16,00", "208,00"), "401": ("4,00", "4,00", "16,00"),
    "402": ("4,00", "6,40", "25,60")}


@pytest.fixture
def month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StoreHolder, str]]:
    monkeypatch.setenv("ASSISTENZZEIT_KDF_N", "4096")
    store = Store.create(tmp_path / "store", PASSPHRASE, kdf_n=2**12,
                         clock=FixedClock(datetime(2026, 4, 2, 9, 0, tzinfo=UTC)))
    services = Services(store)
    services.create_team("Assistenzteam Anna", "Anna Becker", "NW", "Europe/Berlin")
    funder = services.add_funder("Landschaftsverband Rheinland", "PB-2024-0815")
    budget = services.add_budget(funder, "Eingliederungshilfe", "2500.00", "2026-01-01",
                                 support_kind="Teilhabe", cost_center="EGH")
    ben = services.add_member("Ben Meyer", "assistant", staff_number="1001")
    services.set_contract(ben, "2026-01-01", "16.00", "part_time", "10",
                          default_budget_id=budget)
    services.plan_shift("2026-03-09T22:00", "2026-03-10T06:00", assignee_id=ben)
    services.plan_shift("2026-03-16T08:00", "2026-03-16T16:00", assignee_id=ben)
    services.record_absence(ben, "sick", "2026-03-09", "2026-03-09")
    services.record_absence(ben, "vacation", "2026-03-16", "2026-03-16")
    services.add_entry(ben, "2026-03-15T10:00", "2026-03-15T14:00", "Papierzettel")
    services.add_entry(ben, "2026-03-16T08:00", "2026-03-16T11:00", "Papierzettel")
    holder = StoreHolder(tmp_path / "store")
    holder.store, holder.services = store, services
    yield holder, ben
    store.close()


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def test_absence_pay_same_money_in_every_format(month, tmp_path: Path) -> None:
    holder, ben = month
    services = holder.services
    doc = timesheets.document_for(services, ben, "2026-03")
    assert doc["pay"]["gross"] == "393.60"
    result = export_month(services, "2026-03", ["csv", "datev", "lexware", "pdf"], tmp_path,
                          settings=SETTINGS)
    files = {p.name: p for p in result.paths}

    # CSV as its reader opens it: UTF-8 with BOM, ';'. Every line is hours × rate.
    with files["lohn-2026-03.csv"].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    got = {r["Lohnart"]: (r["Stunden"], r["Satz"], r["Betrag"]) for r in rows}
    assert got == EXPECTED
    for r in rows:
        assert _money(r["Stunden"]) * _money(r["Satz"]) == _money(r["Betrag"]), r
    gross = sum((_money(r["Betrag"]) for r in rows), Decimal(0))
    assert gross == Decimal("393.60")
    rates = {la: _money(rate) for la, (_, rate, _) in EXPECTED.items()}

    # LODAS, section by section: the same hours per Lohnart, hence the same money.
    lodas = files["lodas-2026-03.txt"].read_bytes().decode("cp1252")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in lodas.split("\r\n"):
        if line.startswith("["):
            current = line
            sections[current] = []
        elif line and not line.startswith("*"):
            sections[current].append(line)
    assert list(sections) == ["[Allgemein]", "[Satzbeschreibung]", "[Bewegungsdaten]",
                              "[Stammdaten]"]
    assert "StammdatenGueltigAb=01/03/2026" in sections["[Allgemein]"]
    booked = {f[4]: f[3] for f in (ln.split(";") for ln in sections["[Bewegungsdaten]"])}
    assert booked == {la: hours for la, (hours, _, _) in EXPECTED.items()}
    assert sum(_money(h) * rates[la] for la, h in booked.items()) == gross
    assert sections["[Stammdaten]"] == ["20;1001;09/03/2026;09/03/2026;2;",
                                        "20;1001;16/03/2026;16/03/2026;1;"]

    # Lexware: header row, then Lohnart and hours; the same money again.
    lex = list(csv.reader(io.StringIO(files["lexware-2026-03.txt"].read_bytes()
                                      .decode("cp1252"), newline=""), delimiter=";"))
    assert lex[0] == ["Jahr", "Monat", "Personalnummer", "Lohnartnummer", "Wert"]
    assert {r[3]: r[4] for r in lex[1:]} == booked
    assert sum(_money(r[4]) * rates[r[3]] for r in lex[1:]) == gross

    # The PDF prints the same lines, the same gross and the overlap warning.
    pdf = next(p for name, p in files.items() if name.endswith(".pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for label, la in (("Grundlohn", "100"), ("Sonntagszuschlag 50 %", "203"),
                      ("Bezahlte Abwesenheit", "400"),
                      ("Fortgezahlter Nachtzuschlag 25 %", "401"),
                      ("Fortgezahlter Nachtzuschlag 40 %", "402")):
        line = next(ln for ln in text.splitlines() if ln.startswith(label))
        assert all(figure in line.split() for figure in EXPECTED[la]), line
    assert "393,60" in next(ln for ln in text.splitlines() if "Brutto gesamt" in ln)
    assert text.count("ABSENCE_OVERLAP") == 1
    assert "Urlaub eingetragen, aber an diesem Tag Arbeit erfasst" in text


def test_absence_overlap_warned_in_roster_and_timesheet(month) -> None:
    holder, ben = month
    doc = timesheets.document_for(holder.services, ben, "2026-03")
    overlap = [w for w in doc["warnings"] if w["code"] == "ABSENCE_OVERLAP"]
    assert [w["day"] for w in overlap] == ["2026-03-16"]  # not the sick day: no work there
    assert [w["day"] for w in reports.plan_warnings(holder.services, ben, "2026-03")
            if w["code"] == "ABSENCE_OVERLAP"] == ["2026-03-16"]
    message = overlap[0]["message_de"]
    app = app_for(holder, "Anna Becker")
    app.session.params = {"mode": "week", "anchor": "2026-03-16"}
    assert any(message in t for t in texts(roster.build(app)))
    app.session.params = {"member_id": ben, "month": "2026-03"}
    assert any(message in t for t in texts(timesheet_view.build(app)))


def test_absence_paid_part_is_only_the_unworked_time(month) -> None:
    holder, ben = month
    doc = timesheets.document_for(holder.services, ben, "2026-03")
    paid: list[dict[str, Any]] = doc["paid_absence"]
    assert [(p["start"], p["end"]) for p in paid] == [
        ("2026-03-09T22:00", "2026-03-10T06:00"), ("2026-03-16T11:00", "2026-03-16T16:00")]
    assert doc["hours"]["absence"] == "13.00" and doc["hours"]["base"] == "7.00"
