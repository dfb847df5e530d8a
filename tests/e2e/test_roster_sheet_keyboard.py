"""Keyboard only at phone width: the employer plans a shift from the week grid in the
sheet; the shift shows in place at once. Then a month cell opens the sheet for its day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import expect_text, press_on, tab_to, type_keys

pytestmark = pytest.mark.browser


def test_roster_sheet_by_keyboard(app_server, demo_store, open_app):
    page = open_app(app_server(demo_store), 390, 844)
    expect_text(page, "Wer sind Sie?")
    press_on(page, "Anna Becker")
    expect_text(page, "Wochenplan (wiederkehrend)")
    press_on(page, "Planen: So, ")  # Sunday of this week: the demo plans no evening there
    sheet = page.get_by_role("alertdialog")
    expect(sheet.get_by_role("heading", name=re.compile(r"^Dienst planen · So, \d{2}\.\d{2}\.\d{4}$"))).to_be_visible()
    page.wait_for_timeout(800)  # let the sheet's transition finish (not an assertion)
    assert problems(page) == []
    shoot(page, "roster-sheet-phone")
    tab_to(page, "Beginn")
    type_keys(page, "18:00")
    tab_to(page, "Ende")
    type_keys(page, "22:00")
    press_on(page, "Emil Wagner")
    expect(sheet.locator('flt-semantics[aria-current="true"]').filter(
        has_text=re.compile("^Emil Wagner$"))).to_have_count(1)
    press_on(page, "Dienst planen")
    expect_text(page, "Dienst gespeichert.")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Bearbeiten: 18:00–22:00 · Emil Wagner · Arbeit")
           ).to_have_count(1)
