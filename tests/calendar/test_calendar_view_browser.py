"""The *Kalender* screen in the real app (``python -m app.cli app``, reached through the
navigation rail), in Debian Chromium: the privacy sentence, named
buttons of at least 48 px, publishing to a real relay process (the link answers with the
feed), and the employer's import button."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from app.store.store import Store
from app.sync.client import SyncClient
from tests.e2e.conftest import (
    PASSPHRASE,
    base_env,
    button,
    click,
    demo_store,  # noqa: F401 - fixture
    enable_semantics,
    expect_text,
    free_port,
    pick_member,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def start_app(store: Path, log: Path, relay: str = "") -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**base_env(PASSPHRASE), "ASSISTENZZEIT_RELAY": relay}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "app", "--store", str(store),
                                 "--port", str(port), "--no-browser"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, url
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("app did not start: " + log.read_text())


def open_page(browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    enable_semantics(page)
    return page


def test_calendar_screen_publish_in_browser(browser, demo_store, relay, http, tmp_path):  # noqa: F811
    store = Store.open(demo_store)
    store.unlock(PASSPHRASE)
    SyncClient(store, relay, http=http).sync()  # the relay learns the demo team
    store.close()
    proc, url = start_app(demo_store, tmp_path / "app.log", relay)
    try:
        page = open_page(browser, url)
        pick_member(page, "Anna Becker")
        click(page, "Kalender")
        expect_text(page, "sieht Ihr Kalender-Anbieter")
        for name in ("Als .ics-Datei speichern", "Termine importieren (.ics)",
                     "Veröffentlichen"):
            box = button(page, name).bounding_box()
            assert box is not None and box["height"] >= 48, name
        assert page.get_by_role("checkbox", name="Ort und Anleitungen").count() == 1

        team_card = page.get_by_role("banner", name=re.compile("Alle Dienste des Teams"))
        team_card.get_by_role("button", name="Veröffentlichen").click()
        expect_text(page, "Der Kalender ist veröffentlicht")
        # The link is part of the card's accessible name (its text is selectable).
        card = page.get_by_role("banner", name=re.compile("Alle Dienste des Teams Abo-Link"))
        card.wait_for(state="attached")
        label = card.get_attribute("aria-label") or card.inner_text()
        link = re.search(r"webcal://\S+\.ics", label)
        assert link, label
        assert page.get_by_role("img", name=re.compile("QR-Code für den Abo-Link")).count() == 1
        assert button(page, "Link zurückziehen").bounding_box()["height"] >= 48
        feed = http.get(link.group(0).replace("webcal://", "http://"))
        assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
        page.context.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
