"""The LODAS file is byte-exact against saved golden files (encoding, CRLF, header, lines)."""

from __future__ import annotations

from pathlib import Path

from app.exports import settings as export_settings
from app.exports.run import export_month
from app.store import timesheets
from tests.exports.conftest import GOLDEN

SETTINGS = {**export_settings.defaults(), "berater_nr": "12345", "mandanten_nr": "678",
            "lohnart_base": "1000", "lohnart_sunday50": "1203",
            "fehlzeit_vacation": "1"}  # a number from the office's key list (test value)


def test_lodas_april_minijob_matches_golden(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    cs.services.record_absence(deniz, "vacation", "2026-04-27", "2026-05-03")
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04")
    result = export_month(cs.services, "2026-04", ["datev"], tmp_path, settings=SETTINGS)
    data = result.paths[0].read_bytes()
    assert data == (GOLDEN / "lodas-2026-04.txt").read_bytes()
    text = data.decode("cp1252")
    assert text.count("\r\n") == text.count("\n")  # CRLF only
    assert "10;01/04/2026;1;43,00;1000;1003;EGH;\r\n" in text
    assert "10;01/04/2026;1;8,00;1203;1003;EGH;\r\n" in text
    # Absences are Personalstammdaten: under [Stammdaten], valid from the month's first day.
    sections = [ln for ln in text.split("\r\n") if ln.startswith("[")]
    assert sections == ["[Allgemein]", "[Satzbeschreibung]", "[Bewegungsdaten]", "[Stammdaten]"]
    assert "StammdatenGueltigAb=01/04/2026\r\n" in text
    stamm = text.split("[Stammdaten]\r\n")[1]
    assert stamm == "20;1003;27/04/2026;30/04/2026;1;\r\n"  # clipped to the month


def test_lodas_march_two_assistants_matches_golden(case_store, tmp_path: Path) -> None:
    cs = case_store([("Ben Meyer", "1001", "E1-sunday-night"),
                     ("Clara Schmidt", "1002", "midnight-start")])
    result = export_month(cs.services, "2026-03", ["datev"], tmp_path, settings=SETTINGS)
    data = result.paths[0].read_bytes()
    assert data == (GOLDEN / "lodas-2026-03.txt").read_bytes()
    lines = data.decode("cp1252").split("\r\n")
    assert "[Stammdaten]" not in lines and not any("u_lod_psd" in ln for ln in lines)
    assert lines[:10] == ["[Allgemein]", "Ziel=LODAS", "Version_SST=1.0", "BeraterNr=12345",
                          "MandantenNr=678", "Datumsformat=TT/MM/JJJJ", "Feldtrennzeichen=;",
                          "Zahlenkomma=,", "Kommentarzeichen=*", ""]
    booked = [ln for ln in lines[lines.index("[Bewegungsdaten]"):] if ln.startswith("10;")]
    # E1: base 8, night25 4, night40 4, sunday50 6; midnight-start: base 6, night25 6.
    assert booked == ["10;01/03/2026;1;8,00;1000;1001;EGH;", "10;01/03/2026;1;4,00;201;1001;EGH;",
                      "10;01/03/2026;1;4,00;202;1001;EGH;", "10;01/03/2026;1;6,00;1203;1001;EGH;",
                      "10;01/03/2026;1;6,00;1000;1002;EGH;", "10;01/03/2026;1;6,00;201;1002;EGH;"]
