"""``republish_soon``: after a change the published feeds are refreshed in a background
thread (against a real relay process); calls during a round fold into one more round; a
failure is logged and never raised."""

from __future__ import annotations

import logging
import threading

import pytest

from app.calendar import background
from app.calendar.feeds import build_feed
from app.calendar.publish import CalendarPublisher, configured_relay
from app.sync.client import SyncClient

from .conftest import SHIFTS


def test_background_republish_uploads_changed_feed(team, relay, http, monkeypatch):
    monkeypatch.setenv("ASSISTENZZEIT_RELAY", relay)  # as the app is started with a relay
    SyncClient(team.store, relay, http=http).sync()
    assert configured_relay(team.services) == relay
    link = CalendarPublisher(team.services, relay, http=http).publish(
        build_feed(team.services, "team"))
    etag = http.get(link.url).headers["etag"]
    team.services.update_shift(SHIFTS[0][0], start="2026-03-27T09:00")
    worker = background.republish_soon(team.services)
    assert worker is not None
    worker.join(60)
    fresh = http.get(link.url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.content == build_feed(team.services, "team").body


def test_background_republish_folds_calls_and_survives_errors(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    release, calls = threading.Event(), []

    def fake(services: object) -> int:
        calls.append(services)
        release.wait(30)
        raise RuntimeError("relay exploded")

    monkeypatch.setattr(background, "republish_if_online", fake)
    caplog.set_level(logging.ERROR, logger="app.calendar.background")
    worker = background.republish_soon("services")
    assert worker is not None
    assert background.republish_soon("services") is None  # folded into the running worker
    assert background.republish_soon("services") is None
    release.set()
    worker.join(30)
    assert not worker.is_alive()
    assert len(calls) == 2  # the first round and one more for the folded calls
    assert caplog.text.count("re-publishing the calendars failed") == 2
    assert background._STATE == {"running": False, "again": False}
