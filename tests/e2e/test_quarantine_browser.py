"""*Geräte & Sync* in a real browser after a hostile member's envelope was quarantined: the
employer sees it with its author, the *Gerät sperren* button is named and at least 48 px, and
one tap locks the device out of the real relay."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.sync.client import RelayRefused, SyncClient
from tests.e2e.audit import problems, shoot
from tests.e2e.conftest import click, expect_text, nav, pick_member
from tests.hostile.conftest import forge, push_as
from tests.sync.conftest import PW, RelayProcess, Team, join, make_employer, open_store

pytestmark = pytest.mark.browser


def test_quarantine_shown_and_author_blocked(app_server, open_app, tmp_path: Path) -> None:
    relay = RelayProcess(str(tmp_path / "relay.db"), tmp_path / "relay.log").start()
    try:
        team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
        ben = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(ben)
        push_as(team, ben, forge(ben, body=os.urandom(64)))
        team.client(team.employer).sync()
        employer_dir, ben_dir = team.employer.store.directory, ben.store.directory
        team.close()

        page = open_app(app_server(employer_dir, passphrase=PW,
                                   env={"ASSISTENZZEIT_RELAY": relay.url}), height=1200)
        pick_member(page, "Erika Muster")
        nav(page, "Geräte & Sync")
        expect(page.get_by_role("banner", name=re.compile("^Zurückgestellte Daten Diese Daten"))
               ).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Von Ben Meyer \(.+\): Paket 1 im Bereich team"))
               .first).to_be_visible()
        block = page.get_by_role("button", name=re.compile(r"^Gerät sperren: Ben Meyer"))
        expect(block).to_be_visible()
        assert problems(page) == []  # every control named and at least 48 px
        page.wait_for_timeout(1000)  # let the route transition finish (not an assertion)
        shoot(page, "devices-quarantine")
        click(page, "Gerät sperren: Ben Meyer")
        expect_text(page, "Gesperrt: Ben Meyer", timeout=60_000)
        expect(page.get_by_role("banner", name=re.compile("Dieses Gerät ist gesperrt"))
               ).to_be_visible()
        expect(block).to_have_count(0)

        phone = open_store(ben_dir)
        try:
            with SyncClient(phone.store, relay.url) as client, \
                    pytest.raises(RelayRefused) as refused:
                client.sync()
            assert refused.value.status == 403
        finally:
            phone.store.close()
    finally:
        relay.stop()
