"""Keyboard alone: Tab to a control, Enter or Space to use it. The employer plans a shift
with the date and time pickers; an assistant on the same device clocks in, takes a break,
clocks out and signs. After each action the focus stays where the work goes on — on the next
sensible control, checked without pressing Tab — instead of going back to the top of the
page (which cost 5–6 Tab presses per action), and the result is announced."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.i18n.formats import MONTH_NAMES_DE as MONTHS
from app.store.services import Services
from app.store.store import Store
from tests.e2e.conftest import (
    PASSPHRASE,
    AppServer,
    expect_text,
    press_on,
    scroll_top,
    selected,
    settled_focus,
    tab_to,
    type_keys,
)
from tests.e2e.test_timesheet_sign_approve import previous_month

pytestmark = pytest.mark.browser


def expect_focus(page: Page, name: str) -> None:
    """The focus lands on ``name`` by itself (a moment after the rebuilt screen)."""
    seen = ""
    for _ in range(50):
        seen = settled_focus(page)
        if name in seen:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"focus is on {seen!r}, not on {name!r}")


def act(page: Page, key: str, said: str, next_focus: str) -> None:
    """Press ``key`` on the focused control; the result is said and the focus moves on."""
    page.keyboard.press(key)
    expect_text(page, said)
    expect_focus(page, next_focus)


def day_name(day: date) -> str:
    """How the date picker names a day: "26. November 2026"."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def pick_time(page: Page, button: str, hour: str, minute: str) -> None:
    """The TimePicker dialog by keyboard: hour and minute typed, then *OK*."""
    tab_to(page, button)
    page.keyboard.press("Enter")
    tab_to(page, "Stunde")
    type_keys(page, hour)
    tab_to(page, "Minute")
    type_keys(page, minute)
    tab_to(page, "OK")
    page.keyboard.press("Enter")
    expect_focus(page, button)  # the dialog gives the focus back to its button


def find_on_screen(page: Page, name: str) -> None:
    """Scroll down from the top until the button ``name`` is on screen (Flutter leaves nodes
    far out of view out of the semantics tree)."""
    scroll_top(page)
    target = page.get_by_role("button", name=re.compile(re.escape(name)))
    for _ in range(30):
        if target.count():
            return
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(250)
    raise AssertionError(f"{name!r} is not on the screen")


def planned(server: AppServer, day: date) -> list[tuple[str, str, str]]:
    """(start, end, assignee) of the shifts on ``day``, read from the store on disk once the
    app has stopped: what the pickers chose is what was saved."""
    server.stop()
    store = Store.open(server.store_dir)
    try:
        store.unlock(PASSPHRASE)
        services = Services(store)
        names = {m["id"]: m["display_name"] for m in services.members()}
        return [(x["start"], x["end"], names.get(x["assignee_id"] or "", ""))
                for x in services.shifts_between(f"{day}T00:00", f"{day}T23:59")]
    finally:
        store.close()


def test_plan_clock_and_sign_keyboard_only(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store)
    page = open_app(server)
    expect_text(page, "Wer sind Sie?")
    press_on(page, "Anna Becker")
    expect_text(page, "Wochenplan (wiederkehrend)")

    # --- the employer plans a shift on Thursday: the sheet opened from Monday in the week
    # grid, then the date and time pickers (the sheet starts on the day it was opened for)
    monday = date.today() - timedelta(days=date.today().weekday())
    thursday = monday + timedelta(days=3)
    press_on(page, "Planen: Mo, ")
    sheet = page.get_by_role("alertdialog")
    expect(sheet.get_by_role("heading", name=re.compile("^Dienst planen · Mo, "))).to_be_visible()
    tab_to(page, "Datum im Kalender wählen")
    page.keyboard.press("Enter")
    tab_to(page, day_name(monday))  # the picker opens on the field's day
    for step in range(1, 4):  # each arrow moves the focus one day on, to Thursday
        page.keyboard.press("ArrowRight")
        expect_focus(page, day_name(monday + timedelta(days=step)))
    page.keyboard.press("Enter")
    tab_to(page, "OK")
    page.keyboard.press("Enter")
    expect_focus(page, "Datum im Kalender wählen")
    pick_time(page, "Beginn auf der Uhr wählen", "06", "30")
    pick_time(page, "Ende auf der Uhr wählen", "11", "00")
    tab_to(page, "Emil Wagner")
    page.keyboard.press("Enter")
    expect(selected(sheet, "Emil Wagner")).to_have_count(1)
    expect_focus(page, "Emil Wagner")  # a choice keeps the focus
    tab_to(page, "Dienst planen")
    act(page, "Enter", "Dienst gespeichert.", "Planen: Mo, ")  # back where the sheet opened
    expect(sheet).to_have_count(0)
    find_on_screen(page, "06:30–11:00 · Emil Wagner · Arbeit")

    # --- an assistant's day on the same device
    press_on(page, "Person wechseln")
    expect_text(page, "Wer sind Sie?")
    press_on(page, "Deniz Kaya")
    expect_text(page, "Nicht im Dienst.")
    tab_to(page, "Dienst beginnen")
    act(page, "Enter", "Dienst begonnen.", "Pause beginnen")
    act(page, "Space", "Pause begonnen.", "Pause beenden")
    act(page, "Enter", "Pause beendet.", "Dienst beenden")
    act(page, "Enter", "Dienst beendet.", "Dienst beginnen")
    expect_text(page, "Heute gesamt: 0:00 Std.")
    press_on(page, "Unterschreiben")
    tab_to(page, f"Stundenzettel {previous_month()} unterschreiben")
    # The sign button is gone once used: the focus goes to the screen's first control.
    act(page, "Enter", "Stundenzettel unterschrieben.", "Voriger Monat")
    assert (f"{thursday}T06:30", f"{thursday}T11:00", "Emil Wagner") in planned(server, thursday)
