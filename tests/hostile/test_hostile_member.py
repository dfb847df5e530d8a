"""A hostile assistant cannot stop the team (issue 12): through the real relay, on SQLite and
PostgreSQL, Ben's device pushes validly signed, chained envelopes that do not open — garbage
ciphertext, an unknown epoch, an out-of-range epoch, a deflate bomb — or one with a huge
device id. After each, the employer and Clara keep syncing, Clara's later clock-in arrives,
what was stored is listed with Ben as its author (``team quarantine``), and ``team revoke``
locks Ben's device out; Clara's clock-out after that arrives too.

Epochs the relay refuses today (99, 70000) are also planted the way a relay from before its
push checks stored them, so the devices' own defence is tested as well as the relay's.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Any

import pytest

from app.store.crypto import random_key
from app.store.envelope import MAX_BATCH_BYTES, Envelope
from app.store.services import Services
from app.sync import device_sync
from app.sync.client import RelayRefused
from tests.hostile.conftest import cli, forge, plant, push_as
from tests.sync.conftest import Team, open_store


def _bomb() -> bytes:
    """A body format byte, then 64 MiB of zeros as raw deflate: about 64 KB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return b"\x01" + packer.compress(bytes(64 * 2**20)) + packer.flush()


@dataclass(frozen=True)
class Attack:
    name: str
    relay_says: str | None  # None: the relay stores it (it cannot tell without keys)
    shown: str | None  # what the quarantine line says; None: nothing reached the devices

    def envelope(self, ben: Services) -> Envelope:
        if self.name == "garbage":
            return forge(ben, body=os.urandom(300))
        if self.name == "bomb":
            return forge(ben, plain=_bomb())
        if self.name == "epoch99":
            return forge(ben, plain=b"\x01", epoch=99, key=random_key())
        if self.name == "epoch70000":
            return forge(ben, plain=b"\x01", epoch=70000, key=random_key())
        return forge(ben, body=os.urandom(300), device="b" * 100_000)


ATTACKS = [
    Attack("garbage", None, "cannot be decrypted"),
    Attack("bomb", None, f"inflates past {MAX_BATCH_BYTES // 2**20} MiB"),
    Attack("epoch99", "epoch 99 is unknown", "no key for team/99"),
    Attack("epoch70000", "epoch must be 0…65535", "out of the wire format's range"),
    Attack("hugeid", "envelopes[0].device: must be a text of at most 64", None),
]


def _as_employer_cli(team: Team, *args: str) -> Any:
    """Run ``assistenzzeit …`` on the employer's store as a user would, with this test's
    handle on that store closed meanwhile (no snapshot of it outdates the command's)."""
    employer = team.employer
    stale = team.clients.pop(employer.store.device_id, None)
    if stale is not None:
        stale.close()
    employer.store.crash()
    try:
        return cli(*args, "--store", str(employer.store.directory))
    finally:
        team.employer = open_store(employer.store.directory)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_hostile_member_cannot_stop_the_team(hostile_team: Team, attack: Attack) -> None:
    team = hostile_team
    employer, (ben, clara) = team.employer, team.assistants
    env = attack.envelope(ben)
    if attack.relay_says is None:
        assert push_as(team, ben, env)["accepted"] == 1
    else:
        with pytest.raises(RelayRefused) as refused:
            push_as(team, ben, env)
        assert refused.value.status == 400 and attack.relay_says in refused.value.reason
        if attack.shown is not None:
            plant(team, env)

    for member in (employer, clara):
        report = team.client(member).sync()  # neither raises nor stops at Ben's envelope
        assert report.quarantined == (attack.shown is not None and "key" not in attack.shown)
    entry = clara.clock_in(clara.store.member_id, note="nach dem Angriff")
    team.client(clara).sync()
    team.client(employer).sync()
    assert (employer.store.projection.get("entry", entry) or {})["note"] == "nach dem Angriff"

    for member in (employer, clara):
        held = device_sync.quarantined(member)
        if attack.shown is None:
            assert held == []
            continue
        assert [(q["device"], q["seq"], q["scope"], q["name"]) for q in held] == [
            (ben.store.device_id, env.seq, "team", "Ben Meyer")]
        assert attack.shown in held[0]["reason"]

    listed = _as_employer_cli(team, "team", "quarantine")
    assert listed.returncode == 0, listed.stderr
    if attack.shown is not None:
        assert ben.store.device_id in listed.stdout and "Ben Meyer" in listed.stdout
        assert attack.shown in listed.stdout
    revoked = _as_employer_cli(team, "team", "revoke", "--device", ben.store.device_id)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith("revoked; new keys for: ") and ", team" in revoked.stdout

    with pytest.raises(RelayRefused) as locked_out:
        team.client(ben).sync()
    assert locked_out.value.status == 403
    clara.clock_out(clara.store.member_id, note="nach dem Sperren")
    team.client(clara).sync()
    assert ("team", 2) in clara.store.ring.scopes
    team.client(team.employer).sync()
    assert (team.employer.store.projection.get("entry", entry) or {})["end"] is not None
    if attack.shown is not None:
        assert device_sync.quarantined(team.employer)[0]["revoked"] is True
