"""*Meine Dienste* as a month calendar in Debian Chromium, at phone and desktop width: after
*Kalender* the grid has one labelled node per day ("Mi 25.11.: 07:00–15:00 Arbeit"), each at
least 48 px high and wide, and the audit finds no unnamed or small control."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import problems
from tests.e2e.conftest import expect_text, nav, pick_member

pytestmark = pytest.mark.browser
DAY = re.compile(r"^(Mo|Di|Mi|Do|Fr|Sa|So) \d\d\.\d\d\.: ")


@pytest.mark.parametrize("width", [390, 1280])
def test_my_shifts_month_grid_in_browser(width, app_server, demo_store, open_app):
    page = open_app(app_server(store_dir=demo_store), width, 844)
    pick_member(page, "Ben Meyer")
    expect_text(page, "Dienst beginnen")
    nav(page, "Meine Dienste")
    expect_text(page, "Offene Dienste")
    # At phone width the menu dialog fades out; a click during that hits its barrier.
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Kalender", exact=True).click()
    expect_text(page, "Meine Dienste im")
    # Flutter renders each day's label as the text of one semantics node.
    labels = page.locator("flt-semantics > span").filter(has_text=DAY)
    expect(labels.first).to_be_attached()
    texts = labels.all_inner_texts()
    assert 28 <= len(texts) <= 31, texts
    assert any(re.search(r"\d\d:\d\d–\d\d:\d\d (Arbeit|Bereitschaft)", t) for t in texts)
    for i in range(7):
        box = labels.nth(i).locator("xpath=..").bounding_box()
        assert box is not None and box["height"] >= 47.5 and box["width"] >= 47.5, box
    expect(page.get_by_role("button", name="Nächster Monat")).to_be_visible()
    assert not problems(page)
