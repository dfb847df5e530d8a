"""The relay's checkpoint endpoints refuse what is malformed, oversized or not the caller's to
do with a 4xx naming the problem — never a 5xx — and change nothing; a device gets only the
pieces of scopes it may read. Real relay process, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from app.errors import RelayRefused
from app.store.services import Services
from app.sync import checkpoint
from app.sync.client import RelayHttp
from app.sync.relay_checkpoint import MAX_PER_TEAM, CheckpointStore
from app.sync.relay_schema import checkpoint_pieces, teams
from app.sync.relay_store import open_relay_store
from tests.sync.conftest import Team, join, make_employer


def http_of(services: Services, url: str) -> RelayHttp:
    store = services.store
    return RelayHttp(url, store.device_id, store.ring.signing, retries=0)


def refused(http: RelayHttp, method: str, path: str, body: Any = None, *,
            raw: bytes | None = None) -> tuple[int, str]:
    with pytest.raises(RelayRefused) as err:  # a 5xx would be a SyncError, not this
        if raw is not None:
            http.request(method, path, raw,
                         extra_headers={"content-type": "application/octet-stream"})
        else:
            http.call(method, path, body)
    return err.value.status, err.value.reason


def test_checkpoint_relay_refuses_malformed_and_oversized(relay_db: str, relay_factory: Any,
                                                          tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    team = Team(make_employer(tmp_path, relay.url), relay_url=relay.url)
    ben = join(team, tmp_path, "Ben Meyer")
    team.assistants.append(ben)
    emp, as_ben = http_of(team.employer, relay.url), http_of(ben, relay.url)
    base = f"/v1/teams/{team.employer.store.team_id}"
    cid = "0" * 32
    try:
        assert refused(emp, "GET", f"{base}/checkpoint")[0] == 404
        # Pieces: size, path, caller.
        too_big = b"x" * (checkpoint.MAX_PIECE_BYTES + 1)
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/0", raw=too_big)[0] == 413
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/0",
                       raw=b"x" * (5 * 1024 * 1024))[0] == 413
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/0", raw=b"")[0] == 400
        assert refused(emp, "PUT", f"{base}/checkpoints/XYZ/pieces/0", raw=b"x")[0] == 400
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/99999", raw=b"x")[0] == 400
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/-1", raw=b"x")[0] == 400
        assert refused(emp, "PUT", f"{base}/checkpoints/{cid}/pieces/zz", raw=b"x")[0] == 400
        assert refused(as_ben, "PUT", f"{base}/checkpoints/{cid}/pieces/0", raw=b"x")[0] == 403

        # Manifests: shape, signature, and what the relay can check against its log.
        emp.request("PUT", f"{base}/checkpoints/{cid}/pieces/0", b"sealed",
                    extra_headers={"content-type": "application/octet-stream"})
        store = team.employer.store
        heads = emp.call("GET", f"{base}/heads?cursor=3")["heads"]
        good = {"v": 1, "team": store.team_id, "id": cid, "signer": store.device_id,
                "cursor": 3, "heads": heads, "pieces": [
                    {"n": 0, "scope": "team", "epoch": 1,
                     "hash": hashlib.sha256(b"sealed").hexdigest()}]}

        def post(raw: Any, sig: str | None = None) -> tuple[int, str]:
            text = raw if isinstance(raw, str) else checkpoint.canonical(raw)
            sig = sig or store.ring.signing.sign(checkpoint.signing_bytes(text)).hex()
            return refused(emp, "POST", f"{base}/checkpoints", {"manifest": text, "sig": sig})

        for bad, status, names in [
            ("not json", 400, "manifest"), ("[1,2]", 400, "manifest"),
            ({**good, "team": "other"}, 400, "manifest.team"),
            ({**good, "signer": "someone-else"}, 400, "manifest.signer"),
            ({**good, "id": "nothex"}, 400, "manifest.id"),
            ({**good, "cursor": -1}, 400, "manifest.cursor"),
            ({**good, "cursor": 2**70}, 400, "manifest.cursor"),
            ({**good, "heads": "many"}, 400, "manifest.heads"),
            ({**good, "heads": [[1, 2]]}, 400, "manifest.heads[0]"),
            ({**good, "heads": [["dev", 1, "nothex"]]}, 400, "manifest.heads[0].hash"),
            ({**good, "heads": [heads[0], heads[0]]}, 400, "manifest.heads"),
            ({**good, "pieces": [{"n": 5, "scope": "team", "epoch": 1, "hash": "0" * 64}]},
             400, "manifest.pieces[0].n"),
            ({**good, "pieces": [{**good["pieces"][0], "scope": "team; DROP"}]}, 400,
             "manifest.pieces[0].scope"),
            ({**good, "cursor": 10**6}, 409, "manifest.cursor"),
            ({**good, "cursor": 2}, 409, "manifest.heads"),
            ({**good, "pieces": []}, 409, "manifest.pieces"),
            ({**good, "pieces": [{**good["pieces"][0], "hash": "1" * 64}]}, 409,
             "manifest.pieces"),
        ]:
            status_got, reason = post(bad)
            assert (status_got, names) == (status, reason.split(":")[0]), (bad, reason)
        assert post(good, sig="00" * 64)[0] == 400
        assert post(good, sig="zz")[0] == 400
        assert refused(emp, "POST", f"{base}/checkpoints", {"manifest": 5, "sig": "00"})[0] == 400
        assert refused(emp, "GET", f"{base}/heads?cursor=-1")[0] == 400
        assert refused(emp, "GET", f"{base}/checkpoint")[0] == 404  # nothing was taken

        # The real thing, then what each device may fetch of it.
        client = team.client(team.employer)
        client.checkpoint_every = 0
        assert "made" in client.sync().checkpoint
        answer = emp.call("GET", f"{base}/checkpoint")
        manifest = json.loads(answer["manifest"])
        readable = {"membership", "team", f"member:{ben.store.member_id}"}
        for piece in manifest["pieces"]:
            path = f"{base}/checkpoints/{manifest['id']}/pieces/{piece['n']}"
            assert len(emp.request("GET", path).content) == piece["size"]
            if piece["scope"] in readable:
                assert len(as_ben.request("GET", path).content) == piece["size"]
            else:
                assert refused(as_ben, "GET", path)[0] == 404
        assert {p["scope"] for p in manifest["pieces"]} > readable  # others exist
        assert refused(as_ben, "GET", f"{base}/checkpoints/{cid}/pieces/0")[0] == 404
    finally:
        emp.close()
        as_ben.close()
        team.close()


def test_checkpoint_relay_keeps_one_per_signer_and_a_few_per_team(relay_db: str) -> None:
    """Each admin device's newest checkpoint is kept; beyond ``MAX_PER_TEAM`` the oldest
    other goes, with its pieces; the one just made always stays."""
    store = open_relay_store(relay_db)
    with store.engine.begin() as conn:
        conn.execute(insert(teams).values(team="t", cursor=0, created_ms=0))
    kept = CheckpointStore(store)

    def make(signer: str, made_ms: int) -> str:
        cid = hashlib.sha256(f"{signer}{made_ms}".encode()).hexdigest()[:32]
        digest = hashlib.sha256(cid.encode()).hexdigest()
        kept.put_piece("t", cid, 0, cid.encode(), digest)
        text = json.dumps({"signer": signer, "made_ms": made_ms, "id": cid})
        kept.commit("t", {"id": cid, "cursor": 0, "heads": [], "pieces": [(0, "team", digest)]},
                    text, "00")
        return cid

    make("dev-a", 1)
    newer_a = make("dev-a", 2)  # replaces a's first
    for i in range(MAX_PER_TEAM):
        make(f"dev-{i}", 10 + i)
    survivors = {json.loads(kept.current("t", f"dev-{i}")["manifest"])["signer"]
                 for i in range(MAX_PER_TEAM) if kept.current("t", f"dev-{i}")}
    assert survivors == {f"dev-{i}" for i in range(MAX_PER_TEAM)}
    assert kept.current("t", "dev-a") is None  # the oldest went
    newest = kept.current("t")
    assert newest is not None
    assert json.loads(newest["manifest"])["made_ms"] == 10 + MAX_PER_TEAM - 1
    with store.engine.begin() as conn:
        ids = set(conn.execute(select(checkpoint_pieces.c.id)).scalars())
    assert newer_a not in ids and len(ids) == MAX_PER_TEAM  # pieces went with it
    store.engine.dispose()
