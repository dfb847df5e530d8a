"""First start → *Demo ansehen* → demo data; restart → unlock; a wrong passphrase is refused."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSPHRASE, click, expect_text, fill, nav, pick_member, type_in

pytestmark = pytest.mark.browser


def test_first_start_demo_then_restart_and_unlock(app_server, open_app):
    server = app_server(passphrase=None)
    page = open_app(server)
    expect_text(page, "Willkommen bei Assistenzzeit")
    click(page, "Demo ansehen")
    # Typed like a person, after Flutter has attached its editing to each new field (a
    # quick fill could land while the field before still held it: "verschieden").
    type_in(page, "Passphrase", PASSPHRASE)
    type_in(page, "Passphrase wiederholen", PASSPHRASE)
    click(page, "Demo anlegen")
    pick_member(page, "Anna Becker")
    expect_text(page, "Dienstplan")
    nav(page, "Team")
    expect_text(page, "Ben Meyer")

    server.restart()
    page = open_app(server)
    expect_text(page, "Die Daten sind verschlüsselt")
    fill(page, "Passphrase", "falsch-falsch")
    click(page, "Entsperren", exact=True)
    expect_text(page, "Die Passphrase stimmt nicht. Es wurde nichts verändert.")
    fill(page, "Passphrase", PASSPHRASE)
    click(page, "Entsperren", exact=True)
    pick_member(page, "Clara Schmidt")
    expect_text(page, "Dienst beginnen")


def test_lock_button_locks_every_open_tab(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store, passphrase=None)
    first = open_app(server)
    fill(first, "Passphrase", PASSPHRASE)
    click(first, "Entsperren", exact=True)
    pick_member(first, "Ben Meyer")
    second = open_app(server)  # the store is already unlocked: straight to the picker
    pick_member(second, "Anna Becker")
    # This tab did not type the passphrase: the employer's rights need it (or a PIN).
    fill(second, "Passphrase", PASSPHRASE)
    click(second, "Zu Anna Becker wechseln")
    click(second, "Ohne PIN weiter")
    expect_text(second, "Wochenplan (wiederkehrend)")
    click(first, "Sperren")
    expect_text(first, "Die Daten sind verschlüsselt")
    expect_text(second, "Die Daten sind verschlüsselt")
