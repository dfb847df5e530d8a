"""Tampered, replayed, forked, wrong-team and revoked requests are refused with a 4xx and a
reason, and nothing of them is stored (real relay process, SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.store import ingest
from app.store.envelope import Envelope, seal_envelope
from app.store.services import Services
from app.sync import protocol
from app.sync.client import RelayRefused, SyncClient
from app.sync.membership import revoke_device
from app.sync.pairing import create_invite, join, join_with_code
from app.sync.relay_store import open_relay_store
from tests.sync.conftest import KDF_N, PW, Team, make_employer, make_team


def stored(db: str) -> int:
    store = open_relay_store(db)
    try:
        return store.counts()["envelopes"]
    finally:
        store.engine.dispose()


def signed_headers(services: Services, method: str, path: str, body: bytes,
                   stamp: int | None = None) -> dict[str, str]:
    stamp = stamp or int(time.time() * 1000)
    nonce = os.urandom(16).hex()
    sig = services.store.ring.signing.sign(protocol.signing_string(method, path, body, stamp,
                                                                   nonce))
    return {protocol.HEADER_DEVICE: services.store.device_id, protocol.HEADER_TIME: str(stamp),
            protocol.HEADER_NONCE: nonce, protocol.HEADER_SIG: sig.hex(),
            "content-type": "application/json"}


def new_envelope(services: Services) -> Envelope:
    """Commit a change locally and return its (not yet pushed) envelope."""
    services.update_team(name="Umbenannt")
    after = ingest.get_cursor(services.store, "push_seq", 0)
    return ingest.unpushed(services.store, after, 10)[-1]


def push_raw(relay_url: str, services: Services, envs: list[dict[str, Any]],
             team: str | None = None, headers: dict[str, str] | None = None,
             body: bytes | None = None) -> httpx.Response:
    path = f"/v1/teams/{team or services.store.team_id}/envelopes"
    body = body if body is not None else json.dumps({"envelopes": envs}).encode()
    headers = headers or signed_headers(services, "POST", path, body)
    return httpx.post(relay_url + path, content=body, headers=headers)


def test_relay_refuses_tampered_replayed_forked(relay_db: str, relay_factory: Any,
                                                tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    employer = make_employer(tmp_path, relay.url, with_demo=False)
    try:
        before = stored(relay_db)
        good = new_envelope(employer)
        bad = good.to_json()
        bad["body"] = bytes(b ^ 1 if i == 5 else b for i, b in
                            enumerate(good.body)).hex()
        # A tampered envelope after a good one: the whole batch is refused.
        second = dataclasses.replace(good, seq=good.seq + 1, prev_hash=good.hash)
        r = push_raw(relay.url, employer, [good.to_json(), {**second.to_json(),
                                                            "body": bad["body"]}])
        assert r.status_code == 400 and "signature" in r.json()["error"]
        assert stored(relay_db) == before

        # A tampered request signature.
        path = f"/v1/teams/{employer.store.team_id}/envelopes"
        body = json.dumps({"envelopes": [good.to_json()]}).encode()
        headers = signed_headers(employer, "POST", path, body)
        r = push_raw(relay.url, employer, [], headers=headers, body=body.replace(b"{", b"{ ", 1))
        assert r.status_code == 401 and "signature" in r.json()["error"]
        assert stored(relay_db) == before

        # The good request goes through once; the same request again is a replay.
        assert push_raw(relay.url, employer, [], headers=headers, body=body).status_code == 200
        assert stored(relay_db) == before + 1
        r = push_raw(relay.url, employer, [], headers=headers, body=body)
        assert r.status_code == 401 and "replay" in r.json()["error"]
        # An old request (outside the replay window) is refused too.
        old = signed_headers(employer, "POST", path, body,
                             stamp=int(time.time() * 1000) - 10 * 60 * 1000)
        r = push_raw(relay.url, employer, [], headers=old, body=body)
        assert r.status_code == 401 and "window" in r.json()["error"]

        # A fork: another envelope with the same seq, properly signed.
        ring = employer.store.ring
        epoch, key = ring.scope_key("team")
        fork = seal_envelope([], team=good.team, scope="team", epoch=epoch, device=good.device,
                             seq=good.seq, prev_hash=good.prev_hash, scope_key=key,
                             signer=ring.signing)
        r = push_raw(relay.url, employer, [fork.to_json()])
        assert r.status_code == 409 and "fork" in r.json()["error"]
        # A gap: seq + 2.
        gap = seal_envelope([], team=good.team, scope="team", epoch=epoch, device=good.device,
                            seq=good.seq + 2, prev_hash=good.hash, scope_key=key,
                            signer=ring.signing)
        r = push_raw(relay.url, employer, [gap.to_json()])
        assert r.status_code == 409 and "gap" in r.json()["error"]
        # The genuine one again: idempotent, nothing new.
        r = push_raw(relay.url, employer, [good.to_json()])
        assert r.status_code == 200 and r.json()["duplicates"] == 1
        assert stored(relay_db) == before + 1
    finally:
        employer.store.close()


def test_relay_refuses_wrong_team_and_revoked(relay_db: str, relay_factory: Any,
                                              tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    team: Team = make_team(tmp_path / "a", relay.url)
    other = make_employer(tmp_path / "b", relay.url, with_demo=False)
    try:
        before = stored(relay_db)
        # A device of team B pushes into team A: not a member there.
        env = new_envelope(other)
        r = push_raw(relay.url, other, [env.to_json()], team=team.employer.store.team_id)
        assert r.status_code == 403 and "not a member" in r.json()["error"]
        # A member of team A pushes an envelope of team B into A.
        r = push_raw(relay.url, team.employer, [env.to_json()])
        assert r.status_code == 400 and "another team" in r.json()["error"]
        assert stored(relay_db) == before

        # Revoke Ben's phone: the relay refuses it from then on, and nothing of it is stored.
        ben, clara = team.assistants
        ben.clock_in(ben.store.member_id)
        rotated = revoke_device(team.employer, team.client(team.employer),
                                ben.store.device_id)
        assert "team" in rotated and f"member:{ben.store.member_id}" in rotated
        before = stored(relay_db)
        with pytest.raises(RelayRefused) as err:
            team.client(ben).sync()
        assert err.value.status == 403 and "revoked" in err.value.reason
        assert stored(relay_db) == before
        # New team data is sealed under epoch 2, which Clara gets and Ben never does.
        team.employer.update_team(name="Neues Team")
        team.client(team.employer).sync()
        team.client(clara).sync()
        assert clara.team()["name"] == "Neues Team"
        assert ("team", 2) in clara.store.ring.scopes
        assert ("team", 2) not in ben.store.ring.scopes
    finally:
        team.close()
        other.store.close()


def test_relay_invite_code_twice_refused(relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    employer = make_employer(tmp_path, relay.url, with_demo=False)
    try:
        with SyncClient(employer.store) as client:
            invite = create_invite(employer, client, "assistant", "Ben Meyer")
        # The join screen's entry point: store made, request sent, safety number back.
        number = join(tmp_path / "ben", invite.code, PW, "Ben", kdf_n=KDF_N)
        assert re.fullmatch(r"\d{3} \d{3}", number)
        assert (tmp_path / "ben" / "assistenzzeit.db").exists()
        with pytest.raises(RelayRefused) as err:
            join_with_code(tmp_path / "mallory", PW, invite.code, "Mallory", kdf_n=KDF_N)
        assert err.value.status == 409 and "used already" in err.value.reason
        assert not (tmp_path / "mallory").exists()
        # A code whose fingerprint does not match the inviting device is refused locally.
        with SyncClient(employer.store) as client:
            code = protocol.InviteCode.decode(create_invite(employer, client, "assistant",
                                                            "Clara").code)
        forged = protocol.InviteCode(code.relay, code.team, code.secret, "0000 0000 0000 0000")
        with pytest.raises(protocol.ProtocolError):
            join_with_code(tmp_path / "clara", PW, forged.encode(), "Clara", kdf_n=KDF_N)
    finally:
        employer.store.close()
