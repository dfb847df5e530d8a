"""Real components for the sync tests: relay subprocesses, a PostgreSQL cluster, stores.

``relay_factory(db)`` starts ``python -m app.cli relay --db … --port FREE`` and waits for
``/healthz``; the ``pg_url`` session fixture runs ``scripts/pg-test-cluster.sh`` and stops the
cluster at the end. ``make_team`` builds employer + two assistants joined via invite codes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.domain.ops import Op
from app.store import demo
from app.store.crypto import SigningKey
from app.store.envelope import GENESIS_HASH, Envelope, seal_envelope
from app.store.services import Services
from app.store.store import Store
from app.sync.client import SyncClient
from app.sync.pairing import approve, create_invite, join_with_code, pending_requests

ROOT = Path(__file__).resolve().parents[2]
PW = "correct horse battery staple"
KDF_N = 2**10
TODAY = date(2026, 3, 18)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RelayProcess:
    def __init__(self, db: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.db, self.log, self.env = db, log, env or {}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RelayProcess:
        env = {**os.environ, **self.env}
        with open(self.log, "ab") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "relay", "--db", self.db, "--port",
                 str(self.port), "--rate", "0"], cwd=ROOT, env=env, stdout=fh, stderr=fh)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"relay did not start: {self.log.read_text()[-2000:]}")

    def restart(self, env: dict[str, str] | None = None) -> RelayProcess:
        """Stop (if running) and start again on the same port and database."""
        self.stop()
        self.env = env or {}
        return self.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def relay_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[RelayProcess] = []

    def start(db: str, env: dict[str, str] | None = None) -> RelayProcess:
        relay = RelayProcess(db, tmp_path / f"relay-{len(started)}.log", env).start()
        started.append(relay)
        return relay

    yield start
    for relay in started:
        relay.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    out = subprocess.run(["bash", str(ROOT / "scripts/pg-test-cluster.sh"), "start"],
                         check=True, capture_output=True, text=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    try:
        yield values["PGURL"]
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/pg-test-cluster.sh"), "stop",
                        values["PGDATA"]], check=False)


@pytest.fixture
def pg_url(pg_cluster: str) -> str:
    """A fresh database in the session cluster for each test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_cluster.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def relay_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The relay's database: a SQLite file, and (marked postgres) a fresh PostgreSQL one."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "relay.db")


@dataclass
class Team:
    employer: Services
    assistants: list[Services] = field(default_factory=list)
    relay_url: str = ""
    clients: dict[str, SyncClient] = field(default_factory=dict)

    def client(self, services: Services) -> SyncClient:
        key = services.store.device_id
        if key not in self.clients:
            self.clients[key] = SyncClient(services.store, self.relay_url)
        return self.clients[key]

    def all(self) -> list[Services]:
        return [self.employer, *self.assistants]

    def sync_all(self, rounds: int = 2) -> None:
        for _ in range(rounds):
            for s in self.all():
                self.client(s).sync()

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        for s in self.all():
            s.store.close()


def open_store(path: Path) -> Services:
    store = Store.open(path)
    store.unlock(PW)
    return Services(store)


def make_employer(tmp: Path, relay_url: str, with_demo: bool = True) -> Services:
    store = Store.create(tmp / "employer", PW, kdf_n=KDF_N)
    services = Services(store)
    if with_demo:
        demo.build(services, TODAY)
    else:
        services.create_team("Team Test", "Erika Muster")
    from app.store import disk
    with disk.write_tx(store._conn):
        disk.set_meta(store._conn, "relay", relay_url)
    with SyncClient(store, relay_url) as client:
        client.sync()
    return services


def join(team: Team, tmp: Path, name: str, role: str = "assistant") -> Services:
    """Invite by code, join from a fresh store, approve, sync: a new device of ``name``."""
    emp_client = team.client(team.employer)
    invite = create_invite(team.employer, emp_client, role, name)
    joined = join_with_code(tmp / f"dev-{uuid.uuid4().hex[:8]}", PW, invite.code, name,
                            kdf_n=KDF_N)
    requests = pending_requests(team.employer, emp_client)
    req = next(r for r in requests if r.device == joined.store.device_id)
    assert req.safety_number == joined.safety_number
    approve(team.employer, emp_client, req)
    services = Services(joined.store)
    team.client(services).sync()
    return services


def make_team(tmp: Path, relay_url: str) -> Team:
    team = Team(make_employer(tmp, relay_url), relay_url=relay_url)
    for name in ("Ben Meyer", "Clara Schmidt"):
        team.assistants.append(join(team, tmp, name))
    return team


def sealed_chain(team: str, device: str, n: int, key: bytes, signer: SigningKey, *,
                 start: int = 1, prev: bytes = GENESIS_HASH,
                 scope: str = "team") -> list[Envelope]:
    """``n`` real envelopes of ``device`` from seq ``start`` on, chained after ``prev``, one
    small shift edit each (plaintext in the membership scope, else sealed with ``key``)."""
    out = []
    for seq in range(start, start + n):
        op = Op(f"op-{device}-{seq}", "shift.updated", "shift", "s1", {"x": seq}, 0, seq, "m",
                device)
        env = seal_envelope([op], team=team, scope=scope, epoch=1, device=device, seq=seq,
                            prev_hash=prev, scope_key=None if scope == "membership" else key,
                            signer=signer)
        out.append(env)
        prev = env.hash
    return out
