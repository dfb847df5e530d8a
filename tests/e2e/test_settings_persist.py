"""Switching to English and to high contrast works and persists for a new session."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import shoot
from tests.e2e.conftest import click, expect_text, nav, pick_member, selected, toggle_on

pytestmark = pytest.mark.browser


def test_english_and_high_contrast_persist(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store)
    page = open_app(server)
    pick_member(page, "Ben Meyer")
    nav(page, "Einstellungen")
    toggle_on(page, "English")
    expect_text(page, "Saved.")
    expect_text(page, "Colours")
    toggle_on(page, "High contrast")
    expect_text(page, "Saved.")

    again = open_app(server)  # a new browser context: a fresh Flet session
    expect_text(again, "Who are you?")
    click(again, "Ben Meyer")
    nav(again, "Settings")
    expect(selected(again, "High contrast")).to_have_count(1)
    expect(selected(again, "English")).to_have_count(1)
    shoot(again, "settings-english-contrast-desktop")
    prefs = json.loads((demo_store / "device-settings.json").read_text())
    assert (prefs["lang"], prefs["theme"]) == ("en", "contrast")
