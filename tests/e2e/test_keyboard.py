"""The assistant flow with the keyboard alone: Tab to a control, Enter or Space to use it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import expect_text, press_on

pytestmark = pytest.mark.browser


def test_assistant_flow_keyboard_only(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store)
    page = open_app(server)
    expect_text(page, "Wer bist du?")
    press_on(page, "Clara Schmidt")
    expect_text(page, "Nicht im Dienst.")
    press_on(page, "Dienst beginnen")
    expect_text(page, "Dienst begonnen.")
    press_on(page, "Pause beginnen", key="Space")
    expect_text(page, "Pause begonnen.")
    press_on(page, "Pause beenden")
    expect_text(page, "Pause beendet.")
    press_on(page, "Dienst beenden")
    expect_text(page, "Dienst beendet.")
    expect_text(page, "Heute gesamt: 0:00 Std.")
    press_on(page, "Stundenzettel")
    expect_text(page, "Stunden im Monat:")
