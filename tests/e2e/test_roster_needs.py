"""The employer records a need (Assistenzbedarf), sees the gap in the week, taps it, plans
the prefilled shift in the sheet, and the gap line goes away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    expect_text,
    nav,
    pick_member,
    press,
    tab_to,
    toggle_on,
    type_keys,
)

pytestmark = pytest.mark.browser

GAP = "Nicht besetzt: 06:00–07:00 (Aufstehen)"


def test_roster_need_gap_shown_then_covered(app_server, demo_store, open_app):
    page = open_app(app_server(demo_store))
    pick_member(page, "Anna Becker")
    nav(page, "Dienstplan")

    # Monday 06:00-07:00: the demo's early shift starts at 07:00, so nobody is there.
    needs = page.locator('[flt-semantics-identifier="needs-form"]')
    expect(needs).to_be_visible()
    toggle_on(needs, "Mo")
    # By keyboard: a click aimed at a field while Flutter restores the scroll position after
    # the rebuild can land on a shift of the week grid above and open its sheet. The kept
    # focus is on a button named "Mo" (the weekly plan's has the same name), so Tab first to
    # the control just before the needs form.
    tab_to(page, "Woche kopieren", max_presses=60)
    for label, value in (("Beginn", "06:00"), ("Ende", "07:00"), ("Wofür?", "Aufstehen")):
        tab_to(page, label, max_presses=20)
        type_keys(page, value)
    press(needs.get_by_role("button", name="Bedarf speichern"))
    expect_text(page, "Bedarf gespeichert.")
    gap_buttons = page.get_by_role("button", name=re.compile("^Nicht besetzt:"))
    expect(gap_buttons).to_have_count(1)  # one Monday in the week
    expect(needs.get_by_role("button", name="Bedarf löschen: Mo 06:00–07:00 Aufstehen")
           ).to_be_visible()

    # Tapping the free slot opens the sheet prefilled with that day and slot.
    press(page.get_by_role("button", name=f"{GAP} – planen"))
    sheet = page.get_by_role("alertdialog")
    expect(sheet.get_by_role("heading", name=re.compile(r"^Dienst planen · Mo, \d{2}\.\d{2}\.\d{4}$"))).to_be_visible()
    # Nothing typed: the times come from the tapped slot (the saved line below proves it).
    toggle_on(sheet, "Ben Meyer")
    press(sheet.get_by_role("button", name="Dienst planen"))
    expect_text(page, "Dienst gespeichert.")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Bearbeiten: 06:00–07:00 · Ben Meyer · Arbeit")
           ).to_be_visible()
    expect(gap_buttons).to_have_count(0)
