"""PINs on a shared device: a salted Scrypt verifier sealed in the store, never the PIN;
wrong tries counted and locked out with a growing delay, surviving a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import InputError, PinLocked, WrongPassphrase, WrongPin
from app.store import pins
from app.store.disk import store_file
from app.store.store import Store
from tests.store.conftest import FAST_KDF, PASSPHRASE


def test_pins_need_proof_only_for_more_rights():
    assert pins.needs_proof("assistant", "employer")
    assert pins.needs_proof("assistant", "proxy")
    assert pins.needs_proof("assistant", "payroll")
    assert pins.needs_proof(None, "employer")
    assert not pins.needs_proof("employer", "assistant")
    assert not pins.needs_proof("proxy", "employer")
    assert not pins.needs_proof("assistant", "assistant")


def test_pins_right_pin_passes_and_only_a_verifier_is_kept(team):
    assert not pins.has_pin(team.store, team.employer)
    pins.set_pin(team.store, team.employer, "482913", FAST_KDF)
    assert pins.has_pin(team.store, team.employer)
    pins.prove(team.store, team.employer, pin="482913")
    record = team.store.device_secret(f"pin/{team.employer}") or b""
    assert b"482913" not in record and b"verifier" in record and b"salt" in record
    team.store.write_snapshot()
    assert b"verifier" not in store_file(team.path).read_bytes()  # sealed on disk


def test_pins_reject_a_malformed_pin(team):
    for bad in ("12", "abcd", "12345678901234", "١٢٣٤"):
        with pytest.raises(InputError):
            pins.set_pin(team.store, team.employer, bad, FAST_KDF)
    assert not pins.has_pin(team.store, team.employer)


def test_pins_lock_out_with_growing_delay_that_survives_a_restart(team):
    pins.set_pin(team.store, team.employer, "2468", FAST_KDF)
    for _ in range(pins.FREE_TRIES):
        with pytest.raises(WrongPin):
            pins.prove(team.store, team.employer, pin="0000")
    assert pins.lockout_left(team.store, team.employer) == 0
    with pytest.raises(WrongPin):
        pins.prove(team.store, team.employer, pin="0000")
    assert pins.lockout_left(team.store, team.employer) == pins.BASE_DELAY
    with pytest.raises(PinLocked):  # even the right PIN waits
        pins.prove(team.store, team.employer, pin="2468")

    team.store.close()  # the count is in the store, not in memory
    again = Store.open(team.path, clock=team.clock)
    again.unlock(PASSPHRASE)
    assert pins.lockout_left(again, team.employer) == pins.BASE_DELAY
    team.clock.now += timedelta(seconds=pins.BASE_DELAY)
    with pytest.raises(WrongPin):
        pins.prove(again, team.employer, pin="1111")
    assert pins.lockout_left(again, team.employer) == 2 * pins.BASE_DELAY
    team.clock.now += timedelta(seconds=2 * pins.BASE_DELAY)
    pins.prove(again, team.employer, pin="2468")
    assert pins.lockout_left(again, team.employer) == 0
    again.close()


def test_pins_passphrase_instead_of_pin_counts_wrong_tries_too(team):
    pins.prove(team.store, team.employer, passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        pins.prove(team.store, team.employer, passphrase="falsch")
    with pytest.raises(WrongPin):  # no PIN set: a PIN never passes
        pins.prove(team.store, team.employer, pin="1234")
    assert '"failures": 2' in (team.store.device_secret(f"pin/{team.employer}") or b"").decode()
