"""200 % text on a 390 × 844 phone: every main screen keeps named, large-enough controls, and
no button cuts its label (``audit.cut_labels`` reads the pixels at each button's edges,
scrolling through the whole screen). The first screen of each is saved as
``<screen>-200pct-phone.png``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.audit import cut_labels, problems, shoot
from tests.e2e.conftest import (
    click,
    expect_text,
    nav,
    pick_member,
    prove_with_passphrase,
    toggle_on,
    tool,
)

pytestmark = pytest.mark.browser

ASSISTANT = [("Heute", "Nicht im Dienst.", "today"), ("Meine Dienste", "Offene Dienste",
             "my-shifts"), ("Stundenzettel", "Stunden im Monat", "timesheet"),
             ("Kalender", "sieht Ihr Kalender-Anbieter", "calendar-assistant")]
EMPLOYER = [("Dienstplan", "Wochenplan (wiederkehrend)", "roster"),
            ("Team", "Person hinzufügen", "team"), ("Freigaben", "Offene Anfragen", "approvals"),
            ("Budget", "Kosten im", "budget"), ("Export", "Export für", "export"),
            ("Kalender", "sieht Ihr Kalender-Anbieter", "calendar-employer")]
MAX_PAGES = 14  # screens at 200 % are a few phone heights long


def walk(page: Page, shot: str) -> list[str]:
    """Audit the screen page by page from top to bottom (mouse wheel over the content)."""
    page.wait_for_timeout(1000)  # let the route transition finish before measuring
    shoot(page, f"{shot}-200pct-phone")
    found: list[str] = []
    last = b""
    for _ in range(MAX_PAGES):
        found += problems(page) + cut_labels(page)
        picture = page.screenshot()
        if picture == last:
            break
        last = picture
        page.mouse.move(195, 500)
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(500)
    return sorted(set(found))


def test_every_main_screen_at_200_percent_phone(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store)
    page = open_app(server, 390, 844)
    pick_member(page, "Ben Meyer")
    nav(page, "Einstellungen")
    toggle_on(page, "200 %")
    found: dict[str, list[str]] = {}
    for label, wait_for, shot in ASSISTANT:
        nav(page, label)
        expect_text(page, wait_for)
        found[shot] = walk(page, shot)
    nav(page, "Heute")
    click(page, "Dienst beginnen")
    expect_text(page, "Dienst begonnen.")
    tool(page, "Person wechseln")
    pick_member(page, "Anna Becker")
    prove_with_passphrase(page, "Anna Becker")  # more rights than Ben: asked for proof
    for label, wait_for, shot in EMPLOYER:
        nav(page, label)
        expect_text(page, wait_for)
        found[shot] = walk(page, shot)
    bad = [f"{shot}: {p}" for shot, problems_ in found.items() for p in problems_]
    assert not bad, "\n".join(bad)
