"""The employer records a need (Assistenzbedarf), sees the gap in the week, plans a shift
that covers it, and the gap line goes away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import expect_text, fill, nav, pick_member, press, toggle_on

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
    fill(needs, "Beginn (HH:MM)", "06:00")
    fill(needs, "Ende (HH:MM)", "07:00")
    fill(needs, "Wofür? (z. B. Aufstehen)", "Aufstehen")
    press(needs.get_by_role("button", name="Bedarf speichern"))
    expect_text(page, "Bedarf gespeichert.")
    expect(page.get_by_text(GAP)).to_have_count(1)  # one Monday in the week
    expect(needs.get_by_role("button", name="Bedarf löschen: Mo 06:00–07:00 Aufstehen")
           ).to_be_visible()

    # The shift form's date defaults to the Monday of the week shown.
    form = page.locator('[flt-semantics-identifier="shift-form"]')
    fill(form, "Beginn (HH:MM)", "06:00")
    fill(form, "Ende (HH:MM)", "07:00")
    toggle_on(form, "Ben Meyer")
    press(form.get_by_role("button", name="Dienst planen"))
    expect_text(page, "Dienst gespeichert.")
    expect_text(page, "06:00–07:00 · Ben Meyer · Arbeit")
    expect(page.get_by_text("Nicht besetzt:")).to_have_count(0)
