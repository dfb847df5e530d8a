"""Personal PINs on a shared device: who may switch to a person with more rights.

On the tablet in the flat every session picks *who* uses it (``views/who.py``). Switching to
a person with more rights than the current one (assistant → employer) needs that person's
PIN, or the store's passphrase. A PIN is never stored: only a Scrypt verifier with its own
random salt (``crypto.ScryptParams``), sealed under the master key as a device-local record
(``Store.put_device_secret``), so it is neither readable on disk nor synced.

Wrong tries are counted in the same sealed record, so restarting the app does not reset
them: after ``FREE_TRIES`` wrong PINs (or passphrases) each further one locks the switch
for ``BASE_DELAY`` seconds, doubling up to ``MAX_DELAY``. Example: the 4th wrong PIN locks
for 30 s, the 5th for 60 s, the 6th for 120 s. A right PIN resets the count.
"""

from __future__ import annotations

import hmac
import json
import os
from datetime import datetime, timedelta
from typing import Any

from app.errors import InputError, PinLocked, WrongPassphrase, WrongPin
from app.store.crypto import ScryptParams
from app.store.store import Store

# Rights per role: switching to a higher number needs proof. Payroll sees every wage.
RIGHTS = {"assistant": 0, "payroll": 1, "proxy": 2, "employer": 2}
FREE_TRIES = 3
BASE_DELAY = 30
MAX_DELAY = 3600
PIN_DIGITS = (4, 12)


def needs_proof(from_role: str | None, to_role: str) -> bool:
    """True when going from ``from_role`` (None: nobody yet) to ``to_role`` adds rights."""
    return RIGHTS.get(to_role, 0) > RIGHTS.get(from_role or "assistant", 0)


def _name(member_id: str) -> str:
    return f"pin/{member_id}"


def _record(store: Store, member_id: str) -> dict[str, Any]:
    raw = store.device_secret(_name(member_id))
    return json.loads(raw) if raw else {}


def _save(store: Store, member_id: str, record: dict[str, Any]) -> None:
    store.put_device_secret(_name(member_id), json.dumps(record, sort_keys=True).encode())


def has_pin(store: Store, member_id: str) -> bool:
    return bool(_record(store, member_id).get("verifier"))


def set_pin(store: Store, member_id: str, pin: str, n: int) -> None:
    """Store a verifier of ``pin`` (4–12 digits) with a fresh salt; the count starts anew."""
    low, high = PIN_DIGITS
    if not (pin.isdigit() and pin.isascii() and low <= len(pin) <= high):
        raise InputError("error.pin.digits", "pin", low=low, high=high)
    params = ScryptParams(salt=os.urandom(16), n=n)
    _save(store, member_id, {"salt": params.salt.hex(), "n": params.n, "r": params.r,
                             "p": params.p, "verifier": params.derive(pin).hex(),
                             "failures": 0, "locked_until": ""})


def lockout_left(store: Store, member_id: str) -> int:
    """Seconds until the next try is allowed (0: now)."""
    until = _record(store, member_id).get("locked_until") or ""
    if not until:
        return 0
    left = (datetime.fromisoformat(until) - store.clock()).total_seconds()
    return max(0, int(left + 0.999))


def prove(store: Store, member_id: str, *, pin: str | None = None,
          passphrase: str | None = None) -> None:
    """Check ``pin`` against the member's verifier, or ``passphrase`` against the store.
    Raises PinLocked while locked, WrongPin / WrongPassphrase on a wrong one (counted)."""
    record = _record(store, member_id)
    left = lockout_left(store, member_id)
    if left:
        raise PinLocked("error.pin.locked", left)
    try:
        if passphrase is not None:
            store.check_passphrase(passphrase)
        elif not (pin and record.get("verifier") and _matches(record, pin)):
            raise WrongPin("error.pin.wrong")
    except (WrongPin, WrongPassphrase):
        _count_failure(store, member_id, record)
        raise
    if record.get("failures"):
        record.update(failures=0, locked_until="")
        _save(store, member_id, record)


def _matches(record: dict[str, Any], pin: str) -> bool:
    params = ScryptParams(bytes.fromhex(record["salt"]), int(record["n"]), int(record["r"]),
                          int(record["p"]))
    return hmac.compare_digest(params.derive(pin), bytes.fromhex(record["verifier"]))


def _count_failure(store: Store, member_id: str, record: dict[str, Any]) -> None:
    failures = int(record.get("failures", 0)) + 1
    until = ""
    if failures > FREE_TRIES:
        delay = min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_TRIES - 1))
        until = (store.clock() + timedelta(seconds=delay)).isoformat()
    record.update(failures=failures, locked_until=until)
    _save(store, member_id, record)
