"""Pay-law warnings show in the running app while planning (issue 3): an 11-hour shift
(ArbZG) and a minijob month over the limit. They warn; the shifts are planned anyway."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import click, expect_text, fill, nav, pick_member, toggle_on

pytestmark = pytest.mark.browser


def next_month_first() -> date:
    # The demo plans up to the end of this month; next month starts empty.
    return (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)


def test_roster_warns_for_long_shift_and_minijob_limit(app_server, demo_store, open_app):
    server = app_server(demo_store)
    page = open_app(server)
    pick_member(page, "Anna Becker")
    nav(page, "Dienstplan")
    click(page, "Monat", exact=True)
    click(page, "Nächster Monat")
    first = next_month_first()
    expect_text(page, "Keine Dienste in diesem Zeitraum.")

    # An 11-hour day shift for Ben.
    form = page.locator('[flt-semantics-identifier="shift-form"]')
    day = (first + timedelta(days=9)).isoformat()
    fill(form, "Datum (JJJJ-MM-TT)", day)
    fill(form, "Beginn (HH:MM)", "07:00")
    fill(form, "Ende (HH:MM)", "18:00")
    toggle_on(form, "Ben Meyer")
    form.get_by_role("button", name="Dienst planen").click()
    expect_text(page, "Dienst gespeichert.")
    expect_text(page, "07:00–18:00 · Ben Meyer · Arbeit")
    expect_text(page, "Achtung: Mehr als 10 Stunden Arbeit an einem Tag.")

    # Two weeks of weekday mornings for Deniz (minijob, 14 €/h): 45-50 h, over the limit.
    weekly = page.locator('[flt-semantics-identifier="weekly-form"]')
    for weekday in ("Mo", "Di", "Mi", "Do", "Fr"):
        toggle_on(weekly, weekday)
    fill(weekly, "Beginn (HH:MM)", "08:00")
    fill(weekly, "Ende (HH:MM)", "13:00")
    fill(weekly, "Erster Tag (JJJJ-MM-TT)", first.isoformat())
    fill(weekly, "Anzahl Wochen", "2")
    toggle_on(weekly, "Deniz Kaya")
    weekly.get_by_role("button", name="Wochenplan anlegen").click()
    # The plan runs for the weeks (Monday to Sunday) from the week of the first day on.
    monday = first - timedelta(days=first.weekday())
    weekdays = sum(1 for n in range(14)
                   if (monday + timedelta(days=n)) >= first and n % 7 < 5)
    expect_text(page, f"{weekdays} Dienste geplant.")
    warning = page.get_by_text("Achtung: Deniz Kaya: Der Lohn liegt über der Minijob-Grenze")
    expect(warning.first).to_be_visible()
    # The plan is kept: warnings never block.
    expect(page.get_by_text("08:00–13:00 · Deniz Kaya · Arbeit").first).to_be_visible()
