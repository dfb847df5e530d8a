"""*Geräte & Sync* shows what a member's device sent that does not open, names its author,
and blocks that device with one tap (through a real relay subprocess)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from app.sync.client import RelayRefused
from app.views import devices
from app.views.state import StoreHolder
from tests.hostile.conftest import forge, push_as
from tests.sync.conftest import RelayProcess, Team, join, make_employer
from tests.views.conftest import app_for, buttons, texts


def test_devices_screen_lists_quarantine_and_blocks_the_author(tmp_path: Path) -> None:
    relay = RelayProcess(str(tmp_path / "relay.db"), tmp_path / "relay.log").start()
    team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
    holder = StoreHolder(tmp_path / "employer")
    try:
        ben = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(ben)
        holder.store, holder.services = team.employer.store, team.employer
        app = app_for(holder, "Erika Muster")
        assert "Zurückgestellte Daten" not in texts(devices.build(app))

        env = forge(ben, body=os.urandom(64))
        push_as(team, ben, env)
        team.client(team.employer).sync()
        label = (team.employer.store.projection.get("device", ben.store.device_id) or {})["label"]
        shown = texts(devices.build(app))
        assert "Zurückgestellte Daten" in shown
        assert f"Von Ben Meyer ({label}): Paket {env.seq} im Bereich team – beschädigt" in shown
        block: Any = buttons(devices.build(app))[f"Gerät sperren: Ben Meyer ({label})"]
        pad = block.style.padding  # no fixed height: padding makes the 48 px (audit in e2e)
        assert pad.top + pad.bottom + 16 * 1.25 >= 48 and block.icon == ft.Icons.PHONELINK_LOCK

        block.on_click(None)  # one tap, no second question
        assert app.messages[-1] == (f"Gesperrt: Ben Meyer ({label})", False), app.messages
        shown = texts(devices.build(app))
        assert "Dieses Gerät ist gesperrt." in shown
        assert f"Gerät sperren: Ben Meyer ({label})" not in buttons(devices.build(app))
        with pytest.raises(RelayRefused) as refused:
            team.client(ben).sync()
        assert refused.value.status == 403

        app.session.lang = "en"
        assert f"From Ben Meyer ({label}): packet {env.seq} in scope team – damaged" in texts(
            devices.build(app))
    finally:
        holder.store = holder.services = None
        team.close()
        relay.stop()
