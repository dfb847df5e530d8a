"""Pairing and sync in two real browsers against a real relay process: the employer invites
Ben on *Geräte & Sync*, Ben's new phone (a second app with an empty store) joins with the
code, both screens show the same safety number, the employer approves, the phone syncs and
shows Ben's shifts, Ben clocks in, the employer syncs and sees the running entry in Ben's
timesheet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import click, expect_text, fill, nav, pick_member, type_in
from tests.sync.conftest import RelayProcess

pytestmark = pytest.mark.browser

PHONE_PASSPHRASE = "bens-phone-passphrase"
SYNC_TIMEOUT = 90_000  # a sync round carries the whole demo history over loopback


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    process = RelayProcess(str(tmp_path / "relay.db"), tmp_path / "relay.log").start()
    yield process
    process.stop()


def text_of(page: Page, pattern: str) -> str:
    """The visible text of the first element matching ``pattern`` (a regex)."""
    node = page.get_by_text(re.compile(pattern)).first
    expect(node).to_be_visible(timeout=SYNC_TIMEOUT)
    return node.inner_text()


def by_id(page: Page, identifier: str) -> Locator:
    return page.locator(f'[flt-semantics-identifier="{identifier}"]').first


def sync_now(page: Page) -> None:
    click(page, "Jetzt synchronisieren")
    # Case-sensitive and anchored: "Zuletzt synchronisiert: …" is on the page already.
    expect(page.get_by_text(re.compile(r"^Synchronisiert \(")).first).to_be_visible(
        timeout=SYNC_TIMEOUT)


def test_sync_invite_join_roster_clock_in(app_server, open_app, demo_store, relay,
                                          tmp_path: Path):
    boss_app = app_server(demo_store, env={"ASSISTENZZEIT_RELAY": relay.url})
    phone_app = app_server(tmp_path / "phone", passphrase=None)

    # --- the employer invites Ben on *Geräte & Sync*
    boss = open_app(boss_app, height=1200)  # Team lists the whole demo team
    pick_member(boss, "Anna Becker")
    nav(boss, "Geräte & Sync")
    expect_text(boss, "Gerät einladen")
    fill(boss, "Name der Person", "Ben Meyer")
    click(boss, "Einladung erstellen")
    expect_text(boss, "Einladung für Ben Meyer erstellt.", timeout=SYNC_TIMEOUT)
    expect(by_id(boss, "invite-relay")).to_have_text(f"Relay: {relay.url}")
    code_node = boss.locator('[flt-semantics-identifier="invite-code"]')
    expect(code_node).to_be_visible()
    code = code_node.inner_text().strip()
    assert len(code) > 40 and " " not in code, code
    expect(boss.get_by_role("img", name="QR-Code der Einladung für Ben Meyer")).to_be_visible()
    assert problems(boss) == []  # every control named and at least 48 px
    boss.wait_for_timeout(1500)  # let the QR image decode before the screenshot (no assert)
    shoot(boss, "devices-invite")

    # --- Ben's phone: first start, *Team beitreten* with the code
    phone = open_app(phone_app, width=390, height=844)
    click(phone, "Team beitreten")
    fill(phone, "Einladungscode", code)
    fill(phone, "Ihr Name", "Ben")
    type_in(phone, "Passphrase", PHONE_PASSPHRASE)  # typed after Flutter attached its editing
    click(phone, "Beitreten", exact=True)
    sent = text_of(phone, r"Sicherheitsnummer: [\d ]+")
    safety = re.search(r"Sicherheitsnummer: ([\d ]*\d)", sent).group(1)  # type: ignore[union-attr]
    assert "Arbeitgeber" in sent  # told to compare with the employer's screen

    # --- the employer sees the same safety number and approves
    click(boss, "Anfragen abrufen")
    boss_number = by_id(boss, "request-safety")
    expect(boss_number).to_be_visible(timeout=SYNC_TIMEOUT)
    assert boss_number.inner_text().split(": ", 1)[1].strip() == safety
    click(boss, "Freigeben: Ben Meyer")
    expect_text(boss, "Gerät freigegeben.", timeout=SYNC_TIMEOUT)
    expect(boss.get_by_role("button", name=re.compile("^Sperren: Ben Meyer"))).to_be_visible()

    # --- the phone unlocks, syncs, and Ben's shifts appear
    fill(phone, "Passphrase", PHONE_PASSPHRASE)
    click(phone, "Entsperren")
    expect_text(phone, "Wer sind Sie?")
    sync_now(phone)
    pick_member(phone, "Ben Meyer")
    nav(phone, "Meine Dienste")
    expect_text(phone, "Meine Dienste (nächste")
    # Each of Ben's shifts is a card headed "Heute, 07:00–15:00 Uhr · Arbeit" (or "Morgen, …",
    # "Am Sa, 28.11.2026, …").
    shift_card = re.compile(r"^(Heute|Morgen|Am \w\w, \d{2}\.\d{2}\.\d{4}), "
                            r"\d{2}:\d{2}–\d{2}:\d{2} Uhr · ")
    expect(phone.get_by_role("banner", name=shift_card).first).to_be_visible()
    expect(phone.get_by_text("Keine Dienste geplant.")).to_have_count(0)

    # --- Ben clocks in on the phone and syncs
    nav(phone, "Heute")
    click(phone, "Dienst beginnen")
    expect_text(phone, "Dienst begonnen.")
    since = re.search(r"Im Dienst seit (\d{2}:\d{2})",  # type: ignore[union-attr]
                      text_of(phone, r"^Im Dienst seit")).group(1)
    expect_text(phone, "Zuletzt synchronisiert: ")
    sync_now(phone)

    # --- the employer syncs and sees the running entry in Ben's timesheet
    nav(boss, "Geräte & Sync")
    sync_now(boss)
    expect_text(boss, "Zuletzt synchronisiert: ")
    nav(boss, "Team")
    click(boss, "Stundenzettel von Ben Meyer")
    expect(boss.get_by_text(re.compile(rf"^\w\w, \d\d\.\d\d\.\d{{4}} {since}–…")).first
           ).to_be_visible(timeout=SYNC_TIMEOUT)
