"""The process-wide store holder and device preferences."""

from __future__ import annotations

import pytest

from app.errors import InputError, WrongPassphrase
from app.views.state import Session, StoreHolder, load_prefs


def test_holder_create_team_then_lock_and_unlock(holder: StoreHolder):
    events: list[str] = []
    holder.on_change(events.append)
    holder.create_team("geheim-123", "Team Nord", "Paula", "HH")
    assert holder.unlocked and holder.services.team()["state"] == "HH"
    holder.lock()
    assert not holder.unlocked
    with pytest.raises(WrongPassphrase):
        holder.unlock("falsch-falsch")
    assert not holder.unlocked
    holder.unlock("geheim-123")
    assert holder.services.members()[0]["display_name"] == "Paula"
    assert events == ["unlocked", "locked", "unlocked"]


def test_holder_create_team_bad_input_leaves_no_store(holder: StoreHolder):
    with pytest.raises(InputError) as err:
        holder.create_team("geheim-123", "Team", "Paula", "XX")
    assert err.value.field == "state"
    assert not holder.exists() and not holder.unlocked


def test_session_device_prefs_persist(holder: StoreHolder):
    session = Session.for_device(holder)
    assert (session.lang, session.theme, session.text_scale) == ("de", "light", 100)
    session.lang, session.theme, session.text_scale = "en", "contrast", 200
    session.save_device_prefs()
    again = Session.for_device(holder)
    assert (again.lang, again.theme, again.text_scale) == ("en", "contrast", 200)
    assert "passphrase" not in str(load_prefs(holder.directory))


def test_session_ignores_broken_prefs(holder: StoreHolder):
    holder.directory.mkdir(parents=True)
    (holder.directory / "device-settings.json").write_text("{not json")
    session = Session.for_device(holder)
    assert session.lang == "de" and session.theme == "light"


def test_holder_demo_then_reopen_remembers_demo(holder: StoreHolder):
    holder.create_demo("geheim-123")
    assert holder.is_demo and len(holder.services.members("assistant")) == 4
    holder.close()
    again = StoreHolder(holder.directory)
    again.unlock("geheim-123")
    try:
        assert again.is_demo
        assert again.services.member_by_name("Ben Meyer")["role"] == "assistant"
    finally:
        again.close()
