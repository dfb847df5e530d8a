"""A hostile team member: a real joined assistant's device whose owner builds envelopes by
hand, signed with that device's real key, and pushes them through the real relay.

``hostile_team`` builds employer + Ben (the hostile one) + Clara (honest) on a relay
subprocess over SQLite or PostgreSQL (``tests/sync/conftest.py`` starts both). ``forge``
makes Ben's next envelope with whatever header and body; ``push_as`` sends it as his app
would; ``plant`` stores it the way a relay from before the push checks did, through the
relay's own storage port, for the cases today's relay refuses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store import disk
from app.store.crypto import encrypt_with_nonce, sha256
from app.store.envelope import GENESIS_HASH, Envelope, header_bytes
from app.store.services import Services
from app.sync import protocol
from app.sync.relay_store import open_relay_store
from tests.sync import conftest as sync_fixtures
from tests.sync.conftest import PW, ROOT, Team, join, make_employer

# The relay subprocess and PostgreSQL fixtures of the sync tests, for this package too.
relay_factory = sync_fixtures.relay_factory
pg_cluster = sync_fixtures.pg_cluster
pg_url = sync_fixtures.pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def relay_db(request: Any, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "relay.db")


@pytest.fixture
def hostile_team(relay_factory: Any, relay_db: str, tmp_path: Path) -> Iterator[Team]:
    relay = relay_factory(relay_db)
    team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
    try:
        for name in ("Ben Meyer", "Clara Schmidt"):
            team.assistants.append(join(team, tmp_path, name))
        team.relay_db = relay_db  # type: ignore[attr-defined]
        yield team
    finally:
        team.close()


def forge(member: Services, *, body: bytes | None = None, plain: bytes | None = None,
          epoch: int = 1, scope: str = "team", device: str | None = None,
          key: bytes | None = None) -> Envelope:
    """The member's next envelope in their chain, signed with their device's real key:
    ``body`` as given, or ``plain`` sealed under ``key`` (default: their real key of
    ``scope``/``epoch``)."""
    store = member.store
    seq = int(disk.get_meta(store._conn, "seq") or 0) + 1
    prev = bytes.fromhex(disk.get_meta(store._conn, "prev_hash") or GENESIS_HASH.hex())
    device = device or store.device_id
    nonce = os.urandom(12)
    hdr = header_bytes(store.team_id, scope, epoch, device, seq, prev, nonce)
    if body is None:
        assert plain is not None
        body = encrypt_with_nonce(key or store.ring.scopes[(scope, epoch)], nonce, plain, hdr)
    sig = store.ring.signing.sign(hdr + sha256(body))
    return Envelope(store.team_id, scope, epoch, device, seq, prev, nonce, body, sig)


def push_as(team: Team, member: Services, env: Envelope) -> Any:
    """Push one envelope with the member's own signed request, as their app would."""
    return team.client(member).relay.call(
        "POST", f"{protocol.API}/teams/{member.store.team_id}/envelopes",
        {"envelopes": [env.to_json()]})


def plant(team: Team, env: Envelope) -> None:
    """Store ``env`` straight through the relay's storage port, without the push checks."""
    store = open_relay_store(team.relay_db)  # type: ignore[attr-defined]
    try:
        assert store.push(env.team, env.device, [env], [])[0] == 1
    finally:
        store.engine.dispose()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``assistenzzeit …`` in a subprocess, as a user types it."""
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, "ASSISTENZZEIT_PASSPHRASE": PW})
