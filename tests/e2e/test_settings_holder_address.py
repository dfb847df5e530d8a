"""The employer sets the budget holder's address under Einstellungen → Team; it is stored
and the Verwendungsnachweis prints it."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from app.exports.run import export_month
from app.store.services import Services
from app.store.store import Store
from tests.e2e.conftest import PASSPHRASE, click, expect_text, fill, nav, pick_member

pytestmark = pytest.mark.browser
LABEL = "Anschrift der Budgetnehmerin / des Budgetnehmers (für den Verwendungsnachweis)"


def test_employer_sets_holder_address(app_server, demo_store, open_app, tmp_path):
    server = app_server(store_dir=demo_store)
    page = open_app(server)
    pick_member(page, "Anna Becker")
    nav(page, "Einstellungen")
    expect(page.get_by_role("textbox", name=LABEL)).to_have_count(1)
    fill(page, LABEL, "Prinzipalmarkt 37\n48143 Münster")
    click(page, "Team-Einstellungen speichern")
    expect_text(page, "Gespeichert.")
    server.stop()

    store = Store.open(demo_store)
    store.unlock(PASSPHRASE)
    try:
        services = Services(store)
        assert services.team()["holder_address"] == "Prinzipalmarkt 37\n48143 Münster"
        month = min(e["start"][:7] for e in store.projection.rows["entry"].values())
        csv_path = export_month(services, month, ["verwendung"], tmp_path / "out").paths[0]
    finally:
        store.close()
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    assert ["Anschrift", "Prinzipalmarkt 37, 48143 Münster"] in rows
