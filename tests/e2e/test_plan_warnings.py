"""Pay-law warnings show in the running app while planning (issue 3): an 11-hour shift
(ArbZG) and a minijob month over the limit. They warn; the shifts are planned anyway."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    click,
    expect_text,
    nav,
    pick_member,
    press,
    scroll_top,
    tab_to,
    toggle_on,
    type_keys,
)

pytestmark = pytest.mark.browser


def retype(page, scope, label: str, value: str) -> None:
    """Replace a prefilled value as a person does: select all, type. (Flutter does not show
    the value in the DOM input, so a DOM ``fill`` would add to it.)"""
    press(scope.get_by_role("textbox", name=label).first)
    type_keys(page, value)


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

    # An 11-hour day shift for Ben: tap the day in the month grid, the sheet has its date.
    day = (first + timedelta(days=9)).strftime("%d.%m.%Y")
    press(page.get_by_role("button", name=re.compile(f"^.., {re.escape(day)}: ")))
    form = page.get_by_role("alertdialog")
    expect(form.get_by_text("Dienst planen · ")).to_be_visible()
    retype(page, form, "Beginn", "07:00")
    retype(page, form, "Ende", "18:00")
    toggle_on(form, "Ben Meyer")
    form.get_by_role("button", name="Dienst planen").click()
    expect_text(page, "Dienst gespeichert.")
    expect(page.get_by_role("alertdialog")).to_have_count(0)  # the sheet has closed
    expect(page.get_by_role("button", name=re.compile("07:00–18:00 · Ben Meyer · Arbeit"))
           ).to_be_visible()  # in place, in the day's cell
    expect_text(page, f"Achtung: {day} 07:00–18:00 · Ben Meyer · Arbeit: Mehr als 10 Stunden "
                      "Arbeit an einem Tag.")

    # Two weeks of weekday mornings for Deniz (minijob, 14 €/h): 45-50 h, over the limit.
    weekly = page.locator('[flt-semantics-identifier="weekly-form"]')
    for weekday in ("Mo", "Di", "Mi", "Do", "Fr"):
        toggle_on(weekly, weekday)
    # By keyboard: below the month grid a click aimed at a field while Flutter still scrolls
    # can land on a day cell (and open its sheet); Tab reaches the weekly form's fields
    # (the first "Beginn" after the grid is the weekly form's).
    for label, value in (("Beginn", "08:00"), ("Ende", "13:00"),
                         ("Erster Tag", first.isoformat()),
                         ("Anzahl Wochen", "2")):
        tab_to(page, label, max_presses=120)
        type_keys(page, value)
    toggle_on(weekly, "Deniz Kaya")
    weekly.get_by_role("button", name="Wochenplan anlegen").click()
    # The plan runs for the weeks (Monday to Sunday) from the week of the first day on.
    monday = first - timedelta(days=first.weekday())
    weekdays = sum(1 for n in range(14)
                   if (monday + timedelta(days=n)) >= first and n % 7 < 5)
    expect_text(page, f"{weekdays} Dienste geplant.")
    warning = page.get_by_text("Achtung: Deniz Kaya: Der Lohn liegt über der Minijob-Grenze")
    expect(warning.first).to_be_visible()
    # The plan is kept: warnings never block (the month's shifts are at the top).
    scroll_top(page)
    expect(page.get_by_role("button", name=re.compile("08:00–13:00 · Deniz Kaya · Arbeit")).first
           ).to_be_visible()
