"""A shared phone: an assistant switches to the employer and is asked for proof. The first
time the passphrase (then the employer sets a PIN); later the PIN. A wrong PIN leaves the
assistant where they were; the right one switches."""

from __future__ import annotations

import pytest

from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import PASSPHRASE, click, expect_text, nav, pick_member, tool, type_in

pytestmark = pytest.mark.browser


def expect_signed_in(page, who: str) -> None:
    expect_text(page, who)


def test_assistant_switching_to_employer_is_asked_for_pin(app_server, open_app, demo_store):
    server = app_server(demo_store)
    page = open_app(server, width=390, height=844)
    pick_member(page, "Ben Meyer")
    expect_signed_in(page, "Ben Meyer · Assistent/in")

    # First use: no PIN yet, so the passphrase; a wrong one changes nothing.
    tool(page, "Person wechseln")
    click(page, "Anna Becker")
    expect_text(page, "Anna Becker hat auf diesem Gerät noch keine PIN")
    type_in(page, "Passphrase", "falsch-falsch")
    click(page, "Zu Anna Becker wechseln")
    expect_text(page, "Die Passphrase ist falsch.")
    click(page, "Abbrechen")
    click(page, "Zurück als Ben Meyer")
    expect_signed_in(page, "Ben Meyer · Assistent/in")

    tool(page, "Person wechseln")
    click(page, "Anna Becker")
    type_in(page, "Passphrase", PASSPHRASE)
    click(page, "Zu Anna Becker wechseln")
    expect_text(page, "PIN für Anna Becker festlegen")
    type_in(page, "Neue PIN (4 bis 12 Ziffern)", "2468")
    type_in(page, "Neue PIN wiederholen", "2468")
    page.keyboard.press("Enter")
    expect_text(page, "PIN für Anna Becker festgelegt.")
    expect_signed_in(page, "Anna Becker · Arbeitgeber/in")

    # Down to an assistant needs nothing; back up needs the PIN.
    tool(page, "Person wechseln")
    click(page, "Deniz Kaya")
    expect_signed_in(page, "Deniz Kaya · Assistent/in")
    tool(page, "Person wechseln")
    click(page, "Anna Becker")
    expect_text(page, "Geben Sie die PIN von Anna Becker ein.")
    page.wait_for_timeout(800)  # let the route transition finish (not an assertion)
    assert problems(page) == []
    shoot(page, "who-pin-phone")
    type_in(page, "PIN", "1357")
    page.keyboard.press("Enter")  # Enter in the field submits, as a keyboard user would
    expect_text(page, "Die PIN ist falsch.")
    click(page, "Abbrechen")
    click(page, "Zurück als Deniz Kaya")
    expect_signed_in(page, "Deniz Kaya · Assistent/in")
    nav(page, "Meine Dienste")  # still an assistant's navigation
    expect_text(page, "Offene Dienste")

    tool(page, "Person wechseln")
    click(page, "Anna Becker")
    type_in(page, "PIN", "2468")
    page.keyboard.press("Enter")
    expect_signed_in(page, "Anna Becker · Arbeitgeber/in")
