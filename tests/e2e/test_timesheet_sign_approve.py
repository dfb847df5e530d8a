"""The assistant signs last month in the browser; the employer finds it under *Freigaben*
(with a count on the navigation, the days one by one), countersigns there and saves the PDF;
the signed files appear in the store's exports folder and verify."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.exports.verify import verify
from tests.e2e.audit import shoot
from tests.e2e.conftest import click, expect_text, nav, pick_member

pytestmark = pytest.mark.browser


def expect_said(page, text: str) -> None:
    """Text on screen: its own node, or part of a card that Flutter merges into one node
    whose accessible name (aria-label) carries all of the card's text."""
    expect(page.get_by_text(text).or_(page.locator(f'[aria-label*="{text}"]')).first
           ).to_be_visible()


def open_count(page) -> int:
    """The number on the *Freigaben* badge of the navigation rail ("2 Freigaben Tab 3 of 8")."""
    tab = page.get_by_role("button", name=re.compile("Freigaben Tab"))
    expect(tab.first).to_be_visible()
    found = re.match(r"(\d+) Freigaben", tab.first.inner_text())
    return int(found.group(1)) if found else 0


def previous_month() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def test_assistant_signs_employer_countersigns_files_appear(app_server, open_app, demo_store):
    month = previous_month()
    server = app_server(demo_store)

    assistant = open_app(server, width=390, height=844)
    pick_member(assistant, "Deniz Kaya")
    expect_text(assistant, "Dienst beginnen")  # the home screen is there before navigating
    # One path to close a month: the timesheet's review button, then sign.
    nav(assistant, "Stundenzettel")
    click(assistant, "Voriger Monat")
    click(assistant, f"Prüfen und unterschreiben: {month}")
    expect_said(assistant, "Das unterschreiben Sie:")
    expect_said(assistant, "Die Tage")
    expect_said(assistant, "Lohn vor Abzügen (brutto):")
    click(assistant, f"Stundenzettel {month} unterschreiben")
    expect_text(assistant, "Stundenzettel unterschrieben.")
    expect_text(assistant, "Unterschrieben. Die Freigabe durch den Arbeitgeber steht noch aus.")

    employer = open_app(server)
    pick_member(employer, "Anna Becker")
    expect_text(employer, "Wochenplan (wiederkehrend)")
    count = open_count(employer)
    assert count >= 1  # the signed sheet waits (with whatever else the demo has open)
    nav(employer, "Freigaben")
    expect_text(employer, "Stundenzettel zum Freigeben")
    label = f"Deniz Kaya {month}"
    expect_said(employer, f"{label} · Version 1")
    expect_said(employer, "Unterschrieben von Deniz Kaya")
    expect_said(employer, "Die Tage")
    expect_said(employer, f"{month}-")  # a day line of the signed month
    employer.wait_for_timeout(800)  # let the route transition finish (not an assertion)
    shoot(employer, "approvals-timesheet-desktop")
    click(employer, f"Freigeben: {label}")
    expect_text(employer, "Gegengezeichnet und freigegeben.")
    expect(employer.get_by_role("button", name=re.compile(
        f"^{count - 1} Freigaben Tab" if count > 1 else "^Freigaben Tab"))).to_have_count(1)
    click(employer, f"PDF speichern: {label}")
    expect_text(employer, "Gespeichert im Ordner")

    exports = demo_store / "exports"
    pdf = exports / f"stundennachweis-{month}-1003-v1.pdf"
    bundle = exports / f"stundennachweis-{month}-1003-v1.bundle.json"
    assert pdf.exists() and bundle.exists()
    verdict = verify(pdf)
    assert verdict.ok, verdict.reason
    assert [s["name"] for s in verdict.signers] == ["Deniz Kaya", "Anna Becker"]
    assert verify(bundle).ok

    # The assistant now sees the approved state.
    nav(assistant, "Heute")
    expect_text(assistant, "Dienst beginnen")
    nav(assistant, "Unterschreiben")
    expect_text(assistant, "Unterschrieben und vom Arbeitgeber freigegeben.")
