"""DATEV LODAS needs the payroll office's numbers, in the real app and the real CLI: on a
fresh demo ``assistenzzeit export --format datev`` exits 2 naming BeraterNr and MandantenNr;
in Debian Chromium the *Export* screen refuses the DATEV file with a sentence pointing at
*Lohnbüro-Einstellungen*; typed into that form (fields found by their accessible names) and
saved, the same button writes the file with those numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import problems
from tests.e2e.conftest import (
    PASSPHRASE,
    ROOT,
    base_env,
    click,
    expect_text,
    nav,
    pick_member,
    type_in,
)

pytestmark = pytest.mark.browser


def test_payroll_numbers_missing_then_set_in_form(app_server, demo_store, open_app, tmp_path):
    first = date.today().replace(day=1)
    month = (first - timedelta(days=1)).isoformat()[:7]  # the month the Export screen shows
    done = subprocess.run([sys.executable, "-m", "app.cli", "export", "--store",
                           str(demo_store), "--month", month, "--format", "datev",
                           "--out", str(tmp_path / "o")],
                          cwd=ROOT, env=base_env(PASSPHRASE), capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "BeraterNr" in done.stderr and "MandantenNr" in done.stderr
    assert not (tmp_path / "o").exists()

    server = app_server(store_dir=demo_store)
    page = open_app(server)
    pick_member(page, "Anna Becker")
    nav(page, "Export")
    expect_text(page, "Export für")
    click(page, "DATEV LODAS", exact=True)
    expect_text(page, "Es fehlt: BeraterNr / MandantenNr")
    assert not (demo_store / "exports").exists()
    type_in(page, "Beraternummer", "12345")
    type_in(page, "Mandantennummer", "678")
    save = page.get_by_role("button", name="Lohnbüro-Einstellungen speichern")
    box = save.bounding_box()
    assert box is not None and box["height"] >= 48
    click(page, "Lohnbüro-Einstellungen speichern")
    expect_text(page, "Lohnbüro-Einstellungen gespeichert.")
    assert not problems(page)
    click(page, "DATEV LODAS", exact=True)
    expect(page.get_by_text(re.compile(r"Geschrieben: lodas-\d{4}-\d{2}\.txt")).first
           ).to_be_visible(timeout=60_000)
    written = list((demo_store / "exports").glob("lodas-*.txt"))
    assert [p.name for p in written] == [f"lodas-{month}.txt"]
    data = written[0].read_bytes()
    assert b"BeraterNr=12345\r\nMandantenNr=678\r\n" in data
    assert b"\r\n[Bewegungsdaten]\r\n10;" in data
