"""200 % text: the core assistant screen keeps named, large-enough controls at phone width."""

from __future__ import annotations

import pytest

from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import click, expect_text, nav, pick_member, toggle_on

pytestmark = pytest.mark.browser


def test_text_size_200_percent_phone(app_server, demo_store, open_app):
    server = app_server(store_dir=demo_store)
    page = open_app(server, 390, 844)
    pick_member(page, "Ben Meyer")
    nav(page, "Einstellungen")
    toggle_on(page, "200 %")
    nav(page, "Heute")
    expect_text(page, "Nicht im Dienst.")
    page.wait_for_timeout(1000)  # let the route transition finish before measuring
    assert problems(page) == []
    shoot(page, "today-200pct-phone")
    click(page, "Dienst beginnen")
    expect_text(page, "Dienst begonnen.")
