"""Employer plans a recurring week in one browser context; the assistant clocks in, takes a
break and clocks out in a second context of the same app; the employer sees the entry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PASSPHRASE,
    button,
    click,
    expect_text,
    fill,
    nav,
    pick_member,
    press,
    tab_to,
    toggle_on,
    type_in,
    type_keys,
)

pytestmark = pytest.mark.browser


def create_team_with_assistant(page, assistant: str) -> None:
    click(page, "Team anlegen")
    type_in(page, "Name des Teams", "Team Test")
    type_in(page, "Ihr Name", "Paula Arbeitgeberin")
    type_in(page, "Passphrase", PASSPHRASE)
    type_in(page, "Passphrase wiederholen", PASSPHRASE)
    click(page, "Team anlegen", exact=True)
    expect_text(page, "Wochenplan (wiederkehrend)")
    nav(page, "Team")
    fill(page, "Name", assistant)
    click(page, "Hinzufügen")
    expect_text(page, f"{assistant} wurde hinzugefügt.")


def plan_week_for(page, assistant: str) -> None:
    nav(page, "Dienstplan")
    weekly = page.locator('[flt-semantics-identifier="weekly-form"]')
    expect(weekly).to_be_visible()
    for day in ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"):
        toggle_on(weekly, day)
    # By keyboard from the kept focus on "So": a click aimed at the field while Flutter
    # restores the scroll position after the rebuild can land elsewhere.
    tab_to(page, "Anzahl Wochen", max_presses=20)
    type_keys(page, "1")
    toggle_on(weekly, assistant)
    press(weekly.get_by_role("button", name="Wochenplan anlegen"))
    expect_text(page, "7 Dienste geplant.")


def test_employer_plans_assistant_clocks(app_server, open_app):
    server = app_server()  # with ASSISTENZZEIT_PASSPHRASE: other tabs unlock by themselves
    employer = open_app(server)
    create_team_with_assistant(employer, "Lena Vogel")
    plan_week_for(employer, "Lena Vogel")
    expect_text(employer, "Lena Vogel · Arbeit")

    assistant = open_app(server, width=390, height=844)
    pick_member(assistant, "Lena Vogel")
    expect_text(assistant, "Nicht im Dienst.")
    click(assistant, "Dienst beginnen")
    expect_text(assistant, "Dienst begonnen.")
    click(assistant, "Pause beginnen")
    expect_text(assistant, "Pause begonnen.")
    click(assistant, "Pause beenden")
    expect_text(assistant, "Pause beendet.")
    click(assistant, "Dienst beenden")
    expect_text(assistant, "Dienst beendet.")
    # A minute boundary may fall between clock-in and clock-out on a slow machine.
    expect(assistant.get_by_text(re.compile(r"^Heute gesamt: 0:0[0-2] Std\.$")).first).to_be_visible()
    expect(button(assistant, "Dienst beginnen")).to_be_visible()

    nav(employer, "Team")
    click(employer, "Stundenzettel von Lena Vogel")
    expect(employer.get_by_text(re.compile(r"^Stunden im Monat: 0,0[0-4]")).first).to_be_visible()
    expect_text(employer, "Pausen: ")
