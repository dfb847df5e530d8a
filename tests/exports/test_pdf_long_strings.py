"""PDFs with long real-world strings: every string is on the page whole, nothing runs past
the edge or overlaps (word boxes from ``pdftotext -bbox``), and the Stundennachweis shows
weekdays, holidays, per-day surcharge hours, local signature times and a shared device.

With ``ASSISTENZZEIT_WRITE_SCREENSHOTS=1`` the pages are also rendered with ``pdftoppm``
into ``docs/screenshots/`` (``pdf-stundennachweis-long-*.png``, ``pdf-verwendungsnachweis-*``).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.exports.run import export_month
from app.exports.verify import verify
from app.store import timesheets
from app.store.services import Services
from app.store.store import Store
from tests.exports.conftest import PASSPHRASE, FixedClock

NAME = "Maximiliane Adelheid von Hohenzollern-Sigmaringen-Weißenfels"
FUNDER = "Landschaftsverband Westfalen-Lippe – LWL-Inklusionsamt Soziale Teilhabe"
REFERENCE = "LWL-PB-2026/004711-Ä"
BUDGET = "Leistungen zur Sozialen Teilhabe nach §§ 113 ff. SGB IX (Assistenzleistungen)"
NOTE = ("Begleitung zur Fronleichnamsprozession in Münster-Hiltrup; Rollstuhl-Übergabe an "
        "Frau Müller-Lüdenscheidt, Schlüssel für die Wohnungstür liegt im Büro, Rückfahrt mit "
        "dem Behindertenfahrdienst über Dülmen.")
ADDRESS = "Prinzipalmarkt 37, Hinterhaus, 2. Obergeschoss\n48143 Münster (Westfalen)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def long_month(tmp_path: Path) -> Iterator[Services]:
    """June 2026 in NW: Fronleichnam with two breaks and a long note, a Sunday night,
    a plain day; signed and countersigned on the employer's one device."""
    clock = FixedClock(datetime(2026, 7, 2, 9, 15, tzinfo=UTC))
    store = Store.create(tmp_path / "store", PASSPHRASE, kdf_n=2**12, clock=clock)
    services = Services(store)
    services.create_team("Assistenzteam Hohenzollern-Sigmaringen-Weißenfels", "Anna Becker",
                         "NW", "Europe/Berlin")
    services.update_team(holder_address=ADDRESS)
    funder = services.add_funder(FUNDER, REFERENCE)
    budget = services.add_budget(funder, BUDGET, "4000.00", "2026-01-01", cost_center="LWL")
    mid = services.add_member(NAME, "assistant", staff_number="1007")
    services.set_contract(mid, "2026-01-01", "15.00", "part_time", "10",
                          default_budget_id=budget)
    services.add_entry(mid, "2026-06-04T08:00", "2026-06-04T16:30", "Papierzettel",
                       breaks=[{"start": "2026-06-04T10:00", "end": "2026-06-04T10:15"},
                               {"start": "2026-06-04T12:00", "end": "2026-06-04T12:30"}],
                       note=NOTE)
    services.add_entry(mid, "2026-06-07T20:00", "2026-06-08T06:00", "Papierzettel")
    services.add_entry(mid, "2026-06-10T09:00", "2026-06-10T13:00", "Papierzettel",
                       note="Arztbesuch")
    timesheets.submit(services, mid, "2026-06")
    timesheets.approve(services, mid, "2026-06")
    yield services
    store.close()


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.split())


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<',
                      line)
        if m:
            x0, y0, x1, y1 = (float(g) for g in m.groups()[:4])
            words.append((page, x0, y0, x1, y1, m.group(5)))
    return words


def _assert_on_page_and_apart(pdf: Path) -> None:
    """Every word inside the page's margins (A4: 595 × 842 pt), no two words overlapping."""
    words = _words(pdf)
    assert words
    for page, x0, y0, x1, y1, word in words:
        assert x0 >= 20 and x1 <= 595 - 20 and y0 >= 20 and y1 <= 842 - 15, (page, word, x1)
    by_page: dict[int, list[tuple[int, float, float, float, float, str]]] = {}
    for w in words:
        by_page.setdefault(w[0], []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w[2])
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b[2] >= a[4] - 0.5:
                    break  # sorted by top: later words start below this one
                overlap_x = min(a[3], b[3]) - max(a[1], b[1])
                overlap_y = min(a[4], b[4]) - max(a[2], b[2])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)


def _screenshots(pdf: Path, prefix: str) -> None:
    if os.environ.get("ASSISTENZZEIT_WRITE_SCREENSHOTS"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(SCREENSHOTS / prefix)],
                       check=True)


def test_stundennachweis_long_strings_whole_and_apart(long_month: Services,
                                                      tmp_path: Path) -> None:
    pdf = export_month(long_month, "2026-06", ["pdf"], tmp_path).paths[0]
    text = _text(pdf)
    for whole in (NAME, FUNDER, BUDGET, NOTE, "Assistenzteam Hohenzollern-Sigmaringen-Weißenfels",
                  f"Stundennachweis Juni 2026 – {NAME}", f"Unterschrift Assistenz ({NAME})"):
        assert whole in text, whole
    assert "Do 04.06.2026 Feiertag: Fronleichnam" in text
    assert "10:00–10:15, 12:00–12:30" in text
    assert "Feiertag 125 %: 7,75" in text  # 8.5 h less 45 min of breaks, all on the holiday
    # Sunday 20–24 h: night 25 %; Monday 0–4 h night 40 %, 4–6 h night 25 %; 0–4 h of the
    # night after a Sunday count as Sunday too (§3b (3) Nr. 2 EStG): 8 Sunday hours.
    assert "So 07.06.2026" in text and "Mo 08.06.2026" not in text
    assert "Nacht 25 %: 6,00 Nacht 40 %: 4,00 Sonntag 50 %: 8,00" in text
    assert "Mi 10.06.2026" in text and "Bemerkung: Arztbesuch" in text
    # Total hours are all paid hours (7.75 + 10 + 4), not the base line alone.
    assert "Stunden gesamt 21,75 = Arbeit 21,75" in text
    assert "02.07.2026, 11:15 Uhr (Europe/Berlin)" in text and "UTC" not in text
    assert "gemeinsames Gerät (Gerät von Anna Becker)" in text
    assert "Beide Unterschriften wurden mit demselben Schlüssel geleistet" in text
    _assert_on_page_and_apart(pdf)
    verdict = verify(pdf)
    assert verdict.ok and verdict.page_checked, verdict.text()
    _screenshots(pdf, "pdf-stundennachweis-long")


def test_verwendungsnachweis_long_strings_whole_and_apart(long_month: Services,
                                                         tmp_path: Path) -> None:
    paths = export_month(long_month, "2026-06", ["verwendung"], tmp_path,
                         period="2026-Q2").paths
    text = _text(paths[1])
    for whole in (NAME, FUNDER, BUDGET, REFERENCE, "Prinzipalmarkt 37, Hinterhaus, "
                  "2. Obergeschoss, 48143 Münster (Westfalen)", "Budgetnehmer/in: Anna Becker",
                  "Zeitraum: 01.04.2026 bis 30.06.2026"):
        assert whole in text, whole
    assert "06/2026 freigegeben" in text
    assert "Ort, Datum" in text and "Unterschrift Budgetnehmer/in" in text
    _assert_on_page_and_apart(paths[1])
    _screenshots(paths[1], "pdf-verwendungsnachweis-long")
