"""Sync as the app's screens use it: one relay, one background sync per process, pairing.

The *Geräte & Sync* screen (``app/views/devices.py``) and the join/who/today screens call
this module instead of the client, pairing and membership modules directly, because the app
needs a few things the scripting CLI does not:

* one ``BackgroundSync`` per process (started after unlock, stopped on lock), and
* one lock around every relay round, so *Jetzt synchronisieren*, an invite or an approval
  never folds envelopes at the same time as the background thread. Lock order: this round
  lock first, then the store's lock (``acting`` below takes it), as the background thread
  does — callers must not hold ``store.acting_as`` when they call in here;
* the relay URL kept in the store (as the CLI does) and LAN mode's in-process relay;
* *Ablehnen* for a join request: the relay has no refusal endpoint, and none is needed — a
  refused device never gets a membership op or a key; this device just stops offering it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app import settings
from app.calendar.background import republish_soon
from app.errors import AssistenzzeitError, InputError, SyncError
from app.store.services import Services
from app.sync import membership, pairing
from app.sync.client import BackgroundSync, SyncClient, SyncReport
from app.sync.lan import DEFAULT_PORT, LanRelay

_ROUND = threading.RLock()  # one relay round at a time in this process
_STATE: dict[str, Any] = {"background": None, "lan": None}
DISMISSED = "dismissed_joins"


class SerialClient(SyncClient):
    """A ``SyncClient`` whose rounds never overlap with another round of this process."""

    def sync(self) -> SyncReport:
        with _ROUND:
            try:
                report = super().sync()
            except SyncError:
                raise
            except (AssistenzzeitError, sqlite3.Error) as err:
                # e.g. the store was locked or closed mid-round: the background thread backs
                # off instead of dying; the screens show the message, in their language.
                if isinstance(err, AssistenzzeitError) and err.key:
                    raise SyncError(err.key, **err.params) from err
                raise SyncError(str(err)) from err
        if report.ops:
            # Others changed the roster: published calendars follow without waiting.
            republish_soon(Services(self.store))
        return report


# ---------------------------------------------------------------------- relay URL
def relay_url(services: Services) -> str:
    """The relay this store syncs with: kept in the store, else the ``relay`` setting."""
    return (services.store.relay_url() or str(settings.get("relay") or "")
            ).rstrip("/")


def set_relay(services: Services, url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InputError("error.relay.scheme", "relay")
    if services.store.set_relay_url(url):
        stop_background()  # the old thread talks to the old relay
        start_background(services)
    return url


@contextlib.contextmanager
def acting(services: Services, member_id: str | None) -> Iterator[None]:
    """Write as the session's member (a shared device), taken inside the round lock."""
    if member_id:
        with services.store.acting_as(member_id):
            yield
    else:
        yield


@contextlib.contextmanager
def client(services: Services) -> Iterator[SyncClient]:
    url = relay_url(services)
    if not url:
        raise SyncError("error.relay.none")
    with _ROUND, SerialClient(services.store, url) as c:
        yield c


# ---------------------------------------------------------------------- background
def start_background(services: Services, interval: float = 30.0) -> BackgroundSync | None:
    """Start the process's background sync once, when a relay is configured."""
    with _ROUND:
        running = _STATE["background"]
        if running is not None:
            return running  # type: ignore[no-any-return]
        url = relay_url(services)
        if not url:
            return None
        bg = BackgroundSync(SerialClient(services.store, url), interval=interval)
        _STATE["background"] = bg
    bg.start()
    return bg


def stop_background() -> None:
    bg = _STATE["background"]
    _STATE["background"] = None
    if bg is not None:
        bg.stop()
        bg.client.close()


def status(services: Services) -> dict[str, Any]:
    """``state`` (idle/syncing/ok/error/off), ``last_synced`` (local datetime or None),
    ``error``, ``waiting`` and ``checkpoint`` (what became of the checkpoint this device
    started from: None, or its record with ``state`` started/verified/refused and
    ``reason``) for the screens."""
    from app.store import checkpoint, ingest

    ms = ingest.get_cursor(services.store, "last_synced", 0)
    last = datetime.fromtimestamp(ms / 1000).astimezone() if ms else None
    bg = _STATE["background"]
    state = dict(bg.status) if bg is not None else {"state": "off", "error": None}
    return {"state": state.get("state"), "error": state.get("error"), "last_synced": last,
            "waiting": _STATE.get("waiting"), "relay": relay_url(services),
            "checkpoint": checkpoint.record(services.store)}


def sync_now(services: Services) -> SyncReport:
    """One round now, in the caller's thread (the button waits for it)."""
    with client(services) as c:
        report = c.sync()
    _STATE["waiting"] = report.waiting
    bg = _STATE["background"]
    if bg is not None:
        bg.status.update(state="ok", error=None, last_synced=c.last_synced(),
                         report=report.summary())
    return report


# ---------------------------------------------------------------------- LAN mode
def start_lan(services: Services, port: int = DEFAULT_PORT) -> str:
    """Run the relay in this process on the LAN address; the store syncs through it."""
    lan = _STATE["lan"]
    if lan is None:
        try:
            lan = LanRelay(services.store.directory, port=port).start()
        except (OSError, SyncError):
            lan = LanRelay(services.store.directory, port=0).start()  # the port was taken
        _STATE["lan"] = lan
    return set_relay(services, lan.url)


def stop_lan() -> None:
    lan = _STATE["lan"]
    _STATE["lan"] = None
    if lan is not None:
        lan.stop()


def lan_url() -> str | None:
    lan = _STATE["lan"]
    return lan.url if lan is not None else None


# ---------------------------------------------------------------------- pairing
def invite(services: Services, url: str, role: str, name: str,
           member_id: str | None = None) -> pairing.Invite:
    if not (name or "").strip():
        raise InputError("error.name_required", "name")
    set_relay(services, url)
    with client(services) as c, acting(services, member_id):
        return pairing.create_invite(services, c, role, name.strip())


def _dismissed(services: Services) -> set[str]:
    raw = services.store.meta(DISMISSED)
    return set(json.loads(raw)) if raw else set()


def pending(services: Services) -> list[pairing.JoinRequest]:
    """Join requests waiting for this employer, minus refused ones and known devices."""
    if not relay_url(services):
        return []
    with client(services) as c:
        requests = pairing.pending_requests(services, c)
    known = services.store.projection.rows["device"]
    skip = _dismissed(services)
    return [r for r in requests if r.device not in skip and r.device not in known]


def approve(services: Services, device: str, member_id: str | None = None) -> int:
    with client(services) as c, acting(services, member_id):
        request = next((r for r in pairing.pending_requests(services, c)
                        if r.device == device), None)
        if request is None:
            raise InputError("error.device.request_gone", "device")
        return pairing.approve(services, c, request)


def reject(services: Services, device: str) -> None:
    store = services.store
    skip = _dismissed(services) | {device}
    store.set_meta({DISMISSED: json.dumps(sorted(skip))})


# ---------------------------------------------------------------------- devices
def devices(services: Services) -> list[dict[str, Any]]:
    """Live devices with their member's name; ``this`` marks the device in hand."""
    out = []
    for dev in membership.live_devices(services):
        member = services.store.projection.get("member", str(dev["member_id"])) or {}
        out.append({"id": dev["id"], "label": dev.get("label") or "",
                    "member_id": dev["member_id"], "role": dev["role"],
                    "name": member.get("display_name", ""),
                    "this": dev["id"] == services.store.device_id})
    return sorted(out, key=lambda d: (not d["this"], d["name"], d["label"]))


def revoke_device(services: Services, device: str, member_id: str | None = None) -> list[str]:
    """Offline-first: commit and push the revocation without a pull first (a pull that
    fails must not keep a device from being locked out); then sync as a courtesy."""
    with client(services) as c:
        with acting(services, member_id):
            rotated = membership.revoke_device(services, c, device)
        with contextlib.suppress(SyncError):
            c.sync()
    return rotated


def quarantined(services: Services) -> list[dict[str, Any]]:
    """Envelopes of others set aside because they do not open, newest first, each with its
    author (device, member name) and whether that device is revoked already."""
    proj = services.store.projection
    out = []
    for q in services.store.quarantined():
        dev = proj.get("device", q.device) or {}
        member = proj.get("member", str(dev.get("member_id", ""))) or {}
        out.append({**q.__dict__, "name": member.get("display_name", ""),
                    "label": dev.get("label") or q.device[:8],
                    "revoked": bool(dev.get("revoked"))})
    return sorted(out, key=lambda q: -q["at_ms"])
