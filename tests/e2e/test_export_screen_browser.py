"""The *Export* screen in the real app, in Debian Chromium: *Alle Formate exportieren* runs
every export, the status line shows the last step, the written files are listed with named
*Speichern unter …* buttons of at least 48 px, and pressing one hands the file to the
browser (in web mode Flet's ``FilePicker.save_file`` is a download; a desktop OS save dialog
cannot be driven headless)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import problems
from tests.e2e.conftest import click, expect_text, nav, pick_member

pytestmark = pytest.mark.browser


def test_export_all_formats_then_save_as(app_server, demo_store, open_app, tmp_path):
    # DATEV needs the payroll office's numbers (set through the form in
    # test_payroll_settings_browser); here they are already in the settings file.
    (demo_store / "export-settings.json").write_text(
        '{"berater_nr": "12345", "mandanten_nr": "678"}', "utf-8")
    server = app_server(store_dir=demo_store)
    page = open_app(server)
    pick_member(page, "Anna Becker")
    nav(page, "Export")
    expect_text(page, "Export für")
    click(page, "Alle Formate exportieren")
    expect_text(page, "Export fertig", timeout=60_000)
    # the card of files is one node whose name starts with its heading
    expect(page.get_by_role("banner", name=re.compile("^Geschriebene Dateien"))).to_have_count(1)
    expect(page.get_by_text(re.compile(r"^Schritt \d+ von \d+")).first).to_be_visible()
    saves = page.get_by_role("button", name=re.compile(r"^Speichern unter …: "))
    expect(saves.first).to_be_visible()
    assert saves.count() >= 4  # CSV, LODAS, Lexware, a PDF per assistant, Verwendungsnachweis
    name = (saves.first.get_attribute("aria-label") or saves.first.inner_text()).split(": ", 1)[1]
    assert (demo_store / "exports" / name.strip()).exists()
    box = saves.first.bounding_box()
    assert box is not None and box["height"] >= 48
    assert not problems(page)
    with page.expect_download(timeout=30_000) as info:
        saves.first.click()
    download = info.value
    target = tmp_path / "saved"
    download.save_as(target)
    assert target.read_bytes() == (demo_store / "exports" / name.strip()).read_bytes()
    expect_text(page, "Gespeichert:")
