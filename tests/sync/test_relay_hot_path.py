"""The relay's hot path (raw driver SQL, PostgreSQL's one-statement push) keeps the semantics
of the general one: a request nonce is spent once whatever the answer, retried pushes are
idempotent, forks and gaps are refused with nothing stored, a revocation holds at once in
every relay process, a nonce is refused in another process, and a refusal whose reason is
not latin-1 still reaches the client (and the log line) as JSON."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.domain.ops import Op
from app.store.crypto import SigningKey, random_key
from app.store.envelope import GENESIS_HASH, Envelope, seal_envelope
from app.sync import protocol
from app.sync.client import RelayRefused, SyncClient
from app.sync.membership import revoke_device
from app.sync.relay_app import create_app
from app.sync.relay_base import set_faults
from app.sync.relay_store import MembershipChange, Refused, RelayStore, open_relay_store
from tests.conftest import run_async
from tests.sync.conftest import make_team, sealed_chain

TEAM = "0190bbbb-0000-7000-8000-000000000002"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "relay.db")


@pytest.fixture
def stores(db_url: str) -> Iterator[tuple[RelayStore, RelayStore]]:
    """Two stores on one database: two relay processes, as far as the database can tell."""
    a, b = open_relay_store(db_url), open_relay_store(db_url)
    yield a, b
    a.engine.dispose()
    b.engine.dispose()


def chain(device: str, n: int, key: bytes, signer: SigningKey, **where: Any) -> list[Envelope]:
    return sealed_chain(TEAM, device, n, key, signer, **where)


def nonce() -> tuple[str, int]:
    return os.urandom(16).hex(), int(time.time() * 1000)


def refused(status: int, call: Any) -> str:
    with pytest.raises(Refused) as err:
        call()
    assert err.value.status == status, str(err.value)
    return str(err.value)


def test_relay_hot_push_nonce_spent_once_whatever_the_answer(
        stores: tuple[RelayStore, RelayStore]) -> None:
    a, b = stores
    key, signer = random_key(), SigningKey()
    a.create_team(TEAM, chain("dev-0", 1, key, signer)[0], [
        MembershipChange("member", "m", {"role": "employer"}),
        MembershipChange("device", "dev-1", {"member": "m", "sign_pub": signer.public.hex()})])
    envs = chain("dev-1", 6, key, signer)
    first = nonce()
    assert a.push(TEAM, "dev-1", envs[:2], [], nonce=first) == (2, 0, 3)
    # The same request again, in the other process: a replay.
    assert "replayed" in refused(401, lambda: b.push(TEAM, "dev-1", envs[2:3], [], nonce=first))
    # A gap is refused and stores nothing, yet its nonce is spent: no second try with it.
    gap = nonce()
    assert "gap" in refused(409, lambda: a.push(TEAM, "dev-1", envs[3:4], [], nonce=gap))
    assert "replayed" in refused(401, lambda: b.push(TEAM, "dev-1", envs[2:3], [], nonce=gap))
    # A retried push (the answer was lost): the stored part counts as duplicates, the rest
    # is stored — and its fresh nonce is not mistaken for a replay on the way.
    assert b.push(TEAM, "dev-1", envs[:4], [], nonce=nonce()) == (2, 2, 5)
    assert a.push(TEAM, "dev-1", envs[:4], [], nonce=nonce()) == (0, 4, 5)
    # A fork of seq 5 (same place in the chain, other content) and a batch that is not
    # linked in itself are refused whole.
    fork = chain("dev-1", 1, key, signer, start=5, prev=envs[3].hash)[0]
    assert "fork" in refused(409, lambda: a.push(TEAM, "dev-1", [envs[4], fork], [],
                                                   nonce=nonce()))
    assert "fork" in refused(409, lambda: b.push(TEAM, "dev-1", [fork, envs[5]], [],
                                                   nonce=nonce()))
    assert a.counts()["envelopes"] == 1 + 4
    assert b.push(TEAM, "dev-1", envs[4:], [], nonce=nonce()) == (2, 0, 7)
    assert [r.cursor for r in a.pull(TEAM, 0, 100)] == list(range(1, 8))


def test_relay_hot_revocation_holds_at_once_in_every_process(
        stores: tuple[RelayStore, RelayStore]) -> None:
    a, b = stores
    key, owner, phone = random_key(), SigningKey(), SigningKey()
    a.create_team(TEAM, chain("dev-0", 1, key, owner, scope="membership")[0], [
        MembershipChange("member", "m0", {"role": "employer"}),
        MembershipChange("member", "m1", {"role": "assistant"}),
        MembershipChange("device", "dev-0", {"member": "m0", "sign_pub": owner.public.hex()}),
        MembershipChange("device", "dev-1", {"member": "m1", "sign_pub": phone.public.hex()})])
    seen = b.device(TEAM, "dev-1")
    assert seen is not None and not seen.revoked and seen.active and seen.role == "assistant"
    assert seen.sign_pub == phone.public
    assert b.device(TEAM, "dev-9") is None
    revocation = chain("dev-0", 1, key, owner, start=2, prev=a.pull(TEAM, 0, 1)[0].hash,
                       scope="membership")
    assert a.push(TEAM, "dev-0", revocation, [MembershipChange("device", "dev-1",
                                                               {"revoked": True})],
                  nonce=nonce())[0] == 1
    gone = b.device(TEAM, "dev-1")
    assert gone is not None and gone.revoked


def signed_headers(device: str, signer: SigningKey, method: str, path: str,
                   body: bytes) -> dict[str, str]:
    stamp, once = int(time.time() * 1000), os.urandom(16).hex()
    return {protocol.HEADER_DEVICE: device, protocol.HEADER_TIME: str(stamp),
            protocol.HEADER_NONCE: once,
            protocol.HEADER_SIG: signer.sign(protocol.signing_string(
                method, path, body, stamp, once)).hex(),
            "content-type": "application/json"}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


def test_relay_hot_app_answers_and_logs_every_refusal(tmp_path: Path) -> None:
    run_async(app_answers_and_logs(tmp_path))  # Playwright's loop may run in this thread


async def app_answers_and_logs(tmp_path: Path) -> None:
    log = logging.getLogger("assistenzzeit.relay")
    lines, saved = Lines(), (list(log.handlers), log.level, log.propagate)
    log.handlers, log.level, log.propagate = [lines], logging.INFO, False
    try:
        app = create_app(str(tmp_path / "relay.db"), rate=0)
        signer, device = SigningKey(), "0190cccc-0000-7000-8000-000000000003"
        ops = [Op("op-d", "device.added", "device", device, {
                   "member_id": "m0", "sign_pub": signer.public.hex(), "dh_pub": "00" * 32},
                  0, 1, "m0", device),
               Op("op-m", "member.added", "member", "m0", {"role": "employer", "active": True},
                  0, 1, "m0", device)]
        genesis = seal_envelope(ops, team=TEAM, scope="membership", epoch=0, device=device,
                                seq=1, prev_hash=GENESIS_HASH, scope_key=None, signer=signer)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay") as http:
            body = json.dumps({"team": TEAM, "genesis": genesis.to_json(),
                               "sign_pub": signer.public.hex()}).encode()
            r = await http.post("/v1/teams", content=body,
                                headers=signed_headers(device, signer, "POST", "/v1/teams", body))
            assert r.status_code == 201, r.text
            path = f"/v1/teams/{TEAM}/envelopes"
            envs = chain(device, 2, random_key(), signer, start=2, prev=genesis.hash)
            body = json.dumps({"envelopes": [e.to_json() for e in envs]}).encode()
            headers = signed_headers(device, signer, "POST", path, body)
            r = await http.post(path, content=body, headers=headers)
            assert r.status_code == 200 and r.json() == {"accepted": 2, "duplicates": 0,
                                                         "cursor": 3}
            r = await http.post(path, content=body, headers=headers)
            assert r.status_code == 401 and "replayed" in r.json()["error"]
            # "…" and "≥" are not latin-1: the reason must not go into a header.
            query = "?after=0&limit=0"
            r = await http.get(path + query,
                               headers=signed_headers(device, signer, "GET", path + query, b""))
            assert r.status_code == 400 and "…" in r.json()["error"]
            metrics = (await http.get("/metrics")).text
        assert 'az_requests_total{route="/v1/teams/{team}/envelopes",status="200"} 1' in metrics
        assert "az_envelopes_pushed_total 2" in metrics
        pushes = [x for x in lines.lines if x["route"] == "/v1/teams/{team}/envelopes"]
        assert [(x["method"], x["status"]) for x in pushes] == [
            ("POST", 200), ("POST", 401), ("GET", 400)]
        assert pushes[1]["reason"].startswith("replayed") and "…" in pushes[2]["reason"]
        assert all(x["device"] == device[:36] and x["ms"] >= 0 for x in pushes)
        app.state.store.engine.dispose()
    finally:
        log.handlers, log.level, log.propagate = saved


@pytest.mark.postgres
def test_relay_hot_two_processes_share_revocations_and_nonces(
        relay_factory: Any, pg_url: str, tmp_path: Path) -> None:
    first, second = relay_factory(pg_url), relay_factory(pg_url)
    team = make_team(tmp_path, first.url)
    try:
        ben = team.assistants[0]
        ben.clock_in(ben.store.member_id)
        with SyncClient(ben.store, second.url) as via_second:
            via_second.sync()  # pushes through the other process
        revoke_device(team.employer, team.client(team.employer), ben.store.device_id)
        ben.clock_out(ben.store.member_id)
        with SyncClient(ben.store, second.url) as via_second, \
                pytest.raises(RelayRefused) as err:
            via_second.sync()
        assert err.value.status == 403 and "revoked" in err.value.reason
    finally:
        team.close()


def test_relay_hot_fault_point_inside_the_push_transaction(
        stores: tuple[RelayStore, RelayStore]) -> None:
    """The crash test sleeps at "before_commit"; the one-statement push must then still run
    inside an explicit transaction, so a kill there stores nothing."""
    a, _ = stores
    key, signer = random_key(), SigningKey()
    a.create_team(TEAM, chain("dev-0", 1, key, signer)[0], [])
    set_faults("before_commit:0.01")
    try:
        assert a.push(TEAM, "dev-1", chain("dev-1", 3, key, signer), [],
                      nonce=nonce()) == (3, 0, 4)
    finally:
        set_faults(None)
