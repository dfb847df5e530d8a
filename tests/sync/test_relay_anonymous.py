"""Anonymous requests that would cost the relay gigabytes, against a real relay process.

A founding request (``POST /v1/teams``, no account needed) whose genesis inflates to 1 GiB,
and a 200 MB body sent chunked (no Content-Length): the relay refuses both (4xx), its
resident memory — read from ``/proc/<pid>/status`` of the relay process — grows by less than
100 MB, and ``/healthz`` keeps answering within 100 ms meanwhile (best of a few samples, so
a busy test machine does not decide it). Also, in-process: the genesis signature is checked
before anything is inflated.
"""

from __future__ import annotations

import json
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.store import bounded
from app.store.crypto import SigningKey, sha256
from app.store.envelope import _ZDICT, BODY_FORMAT, GENESIS_HASH, Envelope, header_bytes
from app.sync import protocol, relay_teams
from app.sync.relay_app import create_app
from tests.conftest import run_async

MB = 1024 * 1024
GROWTH_LIMIT = 100 * MB
HEALTH_LIMIT = 0.1  # seconds, the best of the samples taken during the attack


def bomb_genesis(team: str, device: str, signer: SigningKey, inflated: int) -> Envelope:
    """A validly signed genesis whose body inflates to ``inflated`` zero bytes: the signer
    is the attacker's own key, so every signature check passes."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=_ZDICT[BODY_FORMAT])
    chunk = b"\0" * MB
    body = bytes((BODY_FORMAT,)) + b"".join(
        packer.compress(chunk) for _ in range(inflated // MB)) + packer.flush()
    header = header_bytes(team, "membership", 0, device, 1, GENESIS_HASH, b"")
    return Envelope(team, "membership", 0, device, 1, GENESIS_HASH, b"", body,
                    signer.sign(header + sha256(body)))


def founding_request(env: Envelope, signer: SigningKey,
                     sign_pub: bytes | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"team": env.team, "sign_pub": (sign_pub or signer.public).hex(),
                       "genesis": env.to_json()}).encode()
    stamp, nonce = int(time.time() * 1000), os.urandom(16).hex()
    sig = signer.sign(protocol.signing_string("POST", "/v1/teams", body, stamp, nonce))
    return body, {"content-type": "application/json", protocol.HEADER_DEVICE: env.device,
                  protocol.HEADER_TIME: str(stamp), protocol.HEADER_NONCE: nonce,
                  protocol.HEADER_SIG: sig.hex()}


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class Watch:
    """Samples the relay's RSS (peak) and /healthz round trips while an attack runs."""

    def __init__(self, relay: Any) -> None:
        self.relay, self.pid = relay, relay.proc.pid
        self.base = rss(self.pid)
        self.peak, self.health = self.base, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        with httpx.Client(base_url=self.relay.url, timeout=10) as http:
            while not self._stop.is_set():
                self.peak = max(self.peak, rss(self.pid))
                started = time.perf_counter()
                assert http.get("/healthz").json() == {"ok": True}
                self.health.append(time.perf_counter() - started)
                time.sleep(0.02)

    def during(self, attack: Callable[[], Any]) -> Any:
        self._thread.start()
        try:
            return attack()
        finally:
            self._stop.set()
            self._thread.join()

    def check(self) -> None:
        assert len(self.health) >= 3, "too few /healthz samples during the attack"
        assert self.peak - self.base < GROWTH_LIMIT, \
            f"relay RSS grew {(self.peak - self.base) / MB:.0f} MB"
        best = min(self.health)
        assert best < HEALTH_LIMIT, f"/healthz took at best {best * 1000:.0f} ms"


@pytest.fixture
def relay(relay_factory: Any, tmp_path: Path) -> Iterator[Any]:
    relay = relay_factory(str(tmp_path / "relay.db"))
    httpx.get(relay.url + "/healthz")  # warm: the first request loads what every one uses
    yield relay


def test_relay_anonymous_deflate_bomb_refused_in_bounded_memory(relay: Any) -> None:
    signer = SigningKey()
    env = bomb_genesis("0190dddd-0000-7000-8000-000000000001", "dev-bomb", signer, 1024 * MB)
    assert len(env.body) < 1.5 * MB  # about 1 MB on the wire (hex: twice that)
    watch = Watch(relay)

    def attack() -> list[httpx.Response]:
        answers = []
        with httpx.Client(base_url=relay.url, timeout=60) as http:
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline or len(answers) < 3:
                body, headers = founding_request(env, signer)
                answers.append(http.post("/v1/teams", content=body, headers=headers))
        return answers

    answers = watch.during(attack)
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert "inflates past 4 MiB" in answer.json()["error"]
    watch.check()
    # Nothing was founded.
    assert httpx.get(relay.url + f"/v1/teams/{env.team}/membership").status_code in (401, 403)


def test_relay_chunked_200mb_body_refused_while_streaming(relay: Any) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        chunk = b"x" * MB
        for _ in range(200):
            sent += len(chunk)
            yield chunk

    watch = Watch(relay)

    def upload() -> httpx.Response | None:
        nonlocal sent
        sent = 0
        try:  # httpx sends a generator chunked, without Content-Length
            return httpx.post(relay.url + "/v1/teams", content=body(), timeout=60)
        except httpx.TransportError:
            return None  # the relay answered and closed the connection mid-upload

    def attack() -> list[tuple[httpx.Response | None, int]]:
        out = []
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline or len(out) < 2:
            out.append((upload(), sent))
        return out

    for answer, uploaded in watch.during(attack):
        if answer is None:
            assert uploaded < 200 * MB  # cut off before the end
        else:
            assert answer.status_code == 413, answer.text
            assert answer.json() == {"error": "request body too large"}
    watch.check()
    # The relay is still there for everyone else.
    assert httpx.get(relay.url + "/healthz").json() == {"ok": True}


def test_relay_genesis_signatures_checked_before_inflating(tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    """A bomb signed by another key than the ``sign_pub`` it names is refused without a byte
    inflated; a request signed by the right key gets to the bounded inflate."""
    inflated: list[int] = []
    real = bounded.inflate

    def counting(data: bytes, **kw: Any) -> bytes:
        inflated.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(relay_teams.bounded, "inflate", counting)
    app = create_app(str(tmp_path / "relay.db"), rate=0)
    signer, other = SigningKey(), SigningKey()
    env = bomb_genesis("0190dddd-0000-7000-8000-000000000002", "dev-bomb", signer, 64 * MB)

    async def post(body: bytes, headers: dict[str, str]) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay") as http:
            return await http.post("/v1/teams", content=body, headers=headers)

    # Request and envelope signed by ``signer``, but ``sign_pub`` names ``other``.
    answer = run_async(post(*founding_request(env, signer, other.public)))
    assert answer.status_code == 401 and "signature" in answer.json()["error"]
    # Request signed by ``other`` (and naming it), envelope by ``signer``.
    answer = run_async(post(*founding_request(env, other)))
    assert answer.status_code == 400 and "signature" in answer.json()["error"]
    assert inflated == []
    answer = run_async(post(*founding_request(env, signer)))
    assert answer.status_code == 400 and "inflates past 4 MiB" in answer.json()["error"]
    assert len(inflated) == 1
