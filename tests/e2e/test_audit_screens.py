"""Every screen at phone (390×844) and desktop (1280×800) width: no interactive element
without an accessible name or under 48×48 CSS px; a screenshot of each under
docs/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import PASSPHRASE, click, expect_text, fill, nav, tool

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
EMPLOYER_SCREENS = [("Dienstplan", "Wochenplan (wiederkehrend)", "roster"),
                    ("Team", "Person hinzufügen", "team"),
                    ("Freigaben", "Offene Anfragen", "approvals"),
                    ("Budget", "Kosten im", "budget"),
                    ("Export", "Export für", "export"),
                    ("Kalender", "sieht Ihr Kalender-Anbieter", "calendar-employer"),
                    ("Einstellungen", "Dieses Gerät", "settings-employer")]
ASSISTANT_SCREENS = [("Heute", "Übergabe", "today"),
                     ("Meine Dienste", "Offene Dienste", "my-shifts"),
                     ("Stundenzettel", "Stunden im Monat", "timesheet"),
                     ("Kalender", "sieht Ihr Kalender-Anbieter", "calendar-assistant"),
                     ("Einstellungen", "Dieses Gerät", "settings-assistant")]


class Audit:
    def __init__(self, page: Page, width: str) -> None:
        self.page, self.width, self.found = page, width, {}

    def check(self, shot: str, wait_for: str) -> None:
        page = self.page
        target = page.get_by_text(wait_for).or_(page.get_by_role("button", name=wait_for)).or_(
            page.get_by_role("textbox", name=wait_for))
        expect(target.first).to_be_visible()
        self.page.wait_for_timeout(1000)  # let the route transition finish (not an assertion)
        self.found[shot] = problems(self.page)
        shoot(self.page, f"{shot}-{self.width}")

    def nav(self, label: str, wait_for: str, shot: str) -> None:
        nav(self.page, label)
        self.check(shot, wait_for)


def run_screens(audit: Audit, screens: list[tuple[str, str, str]]) -> None:
    for label, wait_for, shot in screens:
        audit.nav(label, wait_for, shot)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_screen_named_and_large_enough(width, app_server, demo_store, open_app):
    w, h = WIDTHS[width]
    empty = app_server(passphrase=None)
    page = open_app(empty, w, h)
    audit = Audit(page, width)
    audit.check("start", "Willkommen bei Assistenzzeit")
    steps: list[tuple[str, str, str]] = [("Team anlegen", "Name des Teams", "create"),
                                         ("Team beitreten", "Einladungscode", "join"),
                                         ("Demo ansehen", "Demo anlegen", "demo")]
    for button, wait_for, shot in steps:
        click(page, button)
        audit.check(shot, wait_for)
        click(page, "Zurück")
        expect_text(page, "Willkommen bei Assistenzzeit")

    server = app_server(store_dir=demo_store, passphrase=None)
    page = open_app(server, w, h)
    audit.page = page
    audit.check("unlock", "Die Daten sind verschlüsselt")
    fill(page, "Passphrase", PASSPHRASE)
    click(page, "Entsperren", exact=True)
    audit.check("who", "Wer sind Sie?")
    click(page, "Anna Becker")
    expect_text(page, "Wochenplan (wiederkehrend)")
    run_screens(audit, EMPLOYER_SCREENS)
    nav(page, "Dienstplan")
    click(page, "Monat")
    audit.check("roster-month", "Voriger Monat")
    nav(page, "Team")
    click(page, "Stundenzettel von Ben Meyer")
    audit.check("timesheet-employer", "Stunden im Monat")
    if width == "phone":
        click(page, "Menü", exact=True)
        audit.check("menu", "Einstellungen")
        click(page, "Schließen")
    tool(page, "Hilfe")
    audit.check("help-dialog", "Schließen")
    click(page, "Schließen")
    if width == "phone":
        # A second session of the same device (the switch through the phone menu is walked
        # in test_text_size.py; here it raced the help dialog's exit animation).
        page = audit.page = open_app(server, w, h)
    else:
        tool(page, "Person wechseln")
    expect_text(page, "Wer sind Sie?")
    click(page, "Ben Meyer")
    expect_text(page, "Dienst beginnen")
    run_screens(audit, ASSISTANT_SCREENS)

    bad = {shot: found for shot, found in audit.found.items() if found}
    assert not bad, "\n".join(f"{shot}: {p}" for shot, found in bad.items() for p in found)
    assert len(audit.found) >= 18
