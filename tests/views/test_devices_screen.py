"""*Geräte & Sync* built against a real demo store and a real in-process LAN relay: start LAN
mode, invite Ben, a new device joins, the request shows the same safety number, approve it,
the device appears in the list, *Jetzt synchronisieren* records "Zuletzt synchronisiert"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import SyncError
from app.store.services import Services
from app.store.store import Store
from app.sync import device_sync, pairing
from app.views import devices
from app.views.state import StoreHolder
from tests.sync.conftest import RelayProcess, Team, join, make_employer
from tests.views.conftest import app_for, buttons, texts


@pytest.fixture
def clean_sync() -> Iterator[None]:
    yield
    device_sync.stop_background()
    device_sync.stop_lan()


def test_devices_screen_lan_invite_approve_sync(demo_holder: StoreHolder, tmp_path: Path,
                                                 clean_sync: None) -> None:
    app = app_for(demo_holder, "Anna Becker")
    shown = texts(devices.build(app))
    assert "Kein Relay eingestellt: Dieses Gerät synchronisiert nicht." in shown
    assert "Keine offenen Konflikte." in shown

    buttons(devices.build(app))["LAN-Modus starten"].on_click(None)
    assert app.messages[-1][0].startswith("LAN-Modus läuft: http://"), app.messages
    url = device_sync.lan_url()
    assert url and device_sync.relay_url(demo_holder.services) == url

    app.session.params["invite_form"]["name"] = "Ben Meyer"
    buttons(devices.build(app))["Einladung erstellen"].on_click(None)
    assert app.messages[-1] == ("Einladung für Ben Meyer erstellt.", False), app.messages
    code = app.session.params["invite_form"]["invite"]["code"]
    shown = texts(devices.build(app))
    assert code in shown and f"Relay: {url}" in shown

    safety = pairing.join(tmp_path / "phone", code, "pw-phone-1", "Ben", kdf_n=2**10)
    buttons(devices.build(app))["Anfragen abrufen"].on_click(None)
    shown = texts(devices.build(app))
    assert f"Sicherheitsnummer: {safety}" in shown

    buttons(devices.build(app))["Freigeben: Ben Meyer"].on_click(None)
    assert app.messages[-1] == ("Gerät freigegeben.", False), app.messages
    assert any(x.startswith("Sperren: Ben Meyer") for x in buttons(devices.build(app)))

    # A second request, declined: it is not offered again.
    app.session.params["invite_form"]["name"] = "Clara Schmidt"
    buttons(devices.build(app))["Einladung erstellen"].on_click(None)
    pairing.join(tmp_path / "other", app.session.params["invite_form"]["invite"]["code"],
                 "pw-other-1", "Clara", kdf_n=2**10)
    buttons(devices.build(app))["Anfragen abrufen"].on_click(None)
    buttons(devices.build(app))["Ablehnen: Clara Schmidt"].on_click(None)
    assert app.messages[-1] == ("Anfrage abgelehnt.", False), app.messages
    buttons(devices.build(app))["Anfragen abrufen"].on_click(None)
    assert "Keine wartenden Geräte." in texts(devices.build(app))

    buttons(devices.build(app))["Jetzt synchronisieren"].on_click(None)
    assert app.messages[-1][0].startswith("Synchronisiert ("), app.messages
    assert any(x.startswith("Zuletzt synchronisiert: ") for x in texts(devices.build(app)))

    phone = Store.open(tmp_path / "phone")
    phone.unlock("pw-phone-1")
    try:
        with device_sync.client(Services(phone)) as c:
            report = c.sync()
        assert report.waiting is None and report.ops > 100
        assert Services(phone).member_by_name("Ben Meyer")["role"] == "assistant"
        # The lost phone: revoked from the employer's side, then refused by the relay.
        device_sync.revoke_device(demo_holder.services, phone.device_id)
        assert not any(x.startswith("Sperren: Ben Meyer")
                       for x in buttons(devices.build(app)))
        with pytest.raises(SyncError, match="revoked"), \
                device_sync.client(Services(phone)) as c:
            c.sync()
    finally:
        phone.close()


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    process = RelayProcess(str(tmp_path / "relay.db"), tmp_path / "relay.log").start()
    yield process
    process.stop()


def test_devices_screen_shows_conflict_and_keeps_chosen_value(relay: RelayProcess,
                                                               tmp_path: Path) -> None:
    team = Team(make_employer(tmp_path, relay.url), relay_url=relay.url)
    holder = StoreHolder(tmp_path / "employer")
    try:
        team.assistants.append(join(team, tmp_path, "Paula Proxy", role="proxy"))
        team.sync_all()
        employer, proxy = team.employer, team.assistants[0]
        sid = employer.shifts_between("2026-03-16T00:00", "2026-03-23T00:00")[0]["id"]
        employer.update_shift(sid, location="Wohnung")
        proxy.update_shift(sid, location="Praxis")
        team.sync_all()

        holder.store, holder.services = employer.store, employer
        app = app_for(holder, "Anna Becker")
        shown = texts(devices.build(app))
        assert any(x.startswith("Dienst ") and "„location“" in x for x in shown), shown
        assert any(x.startswith("„Praxis“ – von Paula Proxy, ") for x in shown), shown
        buttons(devices.build(app))["Diesen Wert behalten: Praxis"].on_click(None)
        assert app.messages[-1] == ("Konflikt gelöst.", False)
        assert "Keine offenen Konflikte." in texts(devices.build(app))
        team.sync_all()
        assert proxy.store.projection.get("shift", sid)["location"] == "Praxis"
    finally:
        holder.store = holder.services = None
        team.close()


def test_sync_status_says_what_became_of_the_checkpoint(demo_holder: StoreHolder,
                                                        clean_sync: None) -> None:
    """A device that started from its inviter's checkpoint says the history is still being
    checked; a refused one says why; a verified one says nothing more."""
    from app.store import checkpoint

    app = app_for(demo_holder, "Anna Becker")
    buttons(devices.build(app))["LAN-Modus starten"].on_click(None)
    store = demo_holder.services.store

    def status() -> str:
        return next(t for t in texts(devices.build(app)) if "synchronisiert" in t)

    assert "Verlauf" not in status()  # this device never started from a checkpoint
    checkpoint.set_state(store, "started")
    assert "Der ältere Verlauf wird im Hintergrund geladen und geprüft." in status()
    checkpoint.set_state(store, "refused", "its chain heads are not the log's")
    assert ("Der Stand des einladenden Geräts wurde nicht verwendet (its chain heads are not "
            "the log's). Alle Daten kommen aus dem vollständigen Verlauf.") in status()
    checkpoint.set_state(store, "verified")
    assert "Verlauf" not in status() and "Stand" not in status()
