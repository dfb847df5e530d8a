"""Load generator for ``bench_sync.py``: 200 simulated devices pushing to real relay processes.

Devices are spread over 40 teams of 5 (each team founded with one genesis envelope that
adds all five devices), and over 2 worker processes running asyncio (uvloop if installed) +
httpx, one client (one keep-alive connection, opened before the clock starts) per device, as
on a phone that is syncing. Every push is a real signed request carrying real sealed, chained
envelopes (one clock-in op each), sealed before the clock starts. Open loop: each device
pushes on a fixed schedule; latency is measured from the scheduled time, so a slow relay
cannot hide queueing (no coordinated omission).

Each phase also prints the CPU one push cost (relay processes and PostgreSQL from /proc,
the generator from its own process time) and the ceiling that implies on this machine's
cores: the generator shares them with the relay, so its cost counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing as mp
import os
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.ops import Op  # noqa: E402
from app.store.crypto import SigningKey, random_key  # noqa: E402
from app.store.envelope import GENESIS_HASH, seal_envelope  # noqa: E402
from app.sync import protocol  # noqa: E402

TEAMS, PER_TEAM, WORKERS = 40, 5, 2
PG_RELAYS = 2  # relay processes sharing the cluster: on 2 cores, 2 cost less CPU per push than 4


@dataclass
class Dev:
    url: str
    team: str
    device: str
    member: str
    signer: bytes
    scope_key: bytes
    seq: int
    prev: bytes


def _uuid() -> str:
    from app.store.store import uuid7
    return uuid7()


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_relay(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = open(os.path.join(tempfile.gettempdir(), f"az-bench-relay-{port}.log"), "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "relay", "--db", db, "--port",
                             str(port)], cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("relay did not start")


def signed(dev_id: str, signer: SigningKey, method: str, path: str, body: bytes) -> dict[str, str]:
    stamp, nonce = int(time.time() * 1000), os.urandom(16).hex()
    sig = signer.sign(protocol.signing_string(method, path, body, stamp, nonce)).hex()
    return {protocol.HEADER_DEVICE: dev_id, protocol.HEADER_TIME: str(stamp),
            protocol.HEADER_NONCE: nonce, protocol.HEADER_SIG: sig,
            "content-type": "application/json"}


def setup_teams(urls: list[str]) -> list[Dev]:
    devs: list[Dev] = []
    with httpx.Client(timeout=30) as http:
        for t in range(TEAMS):
            team, key = _uuid(), random_key()
            signers = [SigningKey() for _ in range(PER_TEAM)]
            ids = [_uuid() for _ in range(PER_TEAM)]
            members = [_uuid() for _ in range(PER_TEAM)]
            ops = []
            for i in range(PER_TEAM):
                ops.append(Op(_uuid(), "device.added", "device", ids[i],
                              {"member_id": members[i], "sign_pub": signers[i].public.hex(),
                               "dh_pub": "00" * 32, "label": "x"}, 0, 1, members[0], ids[0]))
                ops.append(Op(_uuid(), "member.added", "member", members[i],
                              {"role": "employer" if i == 0 else "assistant", "active": True},
                              0, 1, members[0], ids[0]))
            genesis = seal_envelope(ops, team=team, scope="membership", epoch=0, device=ids[0],
                                    seq=1, prev_hash=GENESIS_HASH, scope_key=None,
                                    signer=signers[0])
            body = json.dumps({"team": team, "genesis": genesis.to_json(),
                               "sign_pub": signers[0].public.hex()}).encode()
            url = urls[t % len(urls)]
            r = http.post(url + "/v1/teams", content=body,
                          headers=signed(ids[0], signers[0], "POST", "/v1/teams", body))
            r.raise_for_status()
            for i in range(PER_TEAM):
                devs.append(Dev(urls[(t * PER_TEAM + i) % len(urls)], team, ids[i], members[i],
                                signers[i].to_bytes(), key, 2 if i == 0 else 1,
                                genesis.hash if i == 0 else GENESIS_HASH))
    return devs


def _worker(args: tuple[list[Dev], str, float, int, float]) -> dict[str, Any]:
    devs, mode, seconds, batch, per_device_rate = args
    try:  # uvloop (there with uvicorn's extras) makes the generator's own loop cheaper
        import uvloop
        run: Any = uvloop.run
    except ImportError:
        run = asyncio.run
    return run(_run(devs, mode, seconds, batch, per_device_rate))  # type: ignore[no-any-return]


def _prepare(dev: Dev, batches: int, batch: int) -> list[bytes]:
    """Seal a device's envelopes before the clock starts: the relay is measured, not us."""
    signer = SigningKey.from_bytes(dev.signer)
    bodies = []
    for _ in range(batches):
        envs = []
        for _ in range(batch):
            op = Op(_uuid(), "entry.clocked_in", "entry", _uuid(), {
                "member_id": dev.member, "start": "2026-03-18T07:00", "end": None,
                "shift_id": _uuid(), "kind": "work", "source": "clock", "note": "",
                "breaks": []}, 0, time.time_ns() >> 4, dev.member, dev.device)
            env = seal_envelope([op], team=dev.team, scope="team", epoch=1, device=dev.device,
                                seq=dev.seq, prev_hash=dev.prev, scope_key=dev.scope_key,
                                signer=signer)
            envs.append(env)
            dev.seq, dev.prev = dev.seq + 1, env.hash
        bodies.append(json.dumps({"envelopes": [e.to_json() for e in envs]}).encode())
    return bodies


async def _run(devs: list[Dev], mode: str, seconds: float, batch: int,
               rate: float) -> dict[str, Any]:
    lat: list[float] = []
    sent = 0
    errors: dict[str, int] = {}
    n = int(seconds * rate / batch * 1.3) + 2 if rate else 400 // batch
    prepared = {d.device: _prepare(d, n, batch) for d in devs}
    gc.freeze()  # what exists now is never garbage: full collections skip it (no stalls)
    # One client (one keep-alive connection) per device, as on real phones: a shared pool of
    # 100 connections costs the generator O(pool) work per request in httpcore. One SSL
    # context for all (the URLs are plain http), so 200 clients do not load the CA store each.
    tls = ssl.create_default_context()
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = {d.device: await stack.enter_async_context(
            httpx.AsyncClient(timeout=60, limits=one, verify=tls)) for d in devs}
        for d in devs:  # connected before the clock starts, as a phone that is syncing
            (await clients[d.device].get(d.url + "/healthz")).raise_for_status()
        t0, cpu0 = time.perf_counter(), time.process_time()
        t_end = t0 + seconds
        last = [t0]

        async def device(dev: Dev) -> None:
            nonlocal sent
            signer = SigningKey.from_bytes(dev.signer)
            http = clients[dev.device]
            path = f"/v1/teams/{dev.team}/envelopes"
            interval = batch / rate if rate else 0.0
            scheduled = time.perf_counter() + random.random() * (interval or 0.01)
            for body in prepared[dev.device]:
                if mode == "open":
                    await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                start = scheduled if mode == "open" else time.perf_counter()
                if start > t_end:
                    return
                try:
                    r = await http.post(dev.url + path, content=body,
                                        headers=signed(dev.device, signer, "POST", path, body))
                    if r.status_code == 200:
                        sent += r.json()["accepted"]
                        done = time.perf_counter()
                        lat.append(done - start)
                        last[0] = max(last[0], done)
                    else:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                        return
                except httpx.HTTPError as err:
                    errors[type(err).__name__] = errors.get(type(err).__name__, 0) + 1
                    return
                scheduled += interval

        await asyncio.gather(*(device(d) for d in devs))
    return {"lat": lat, "sent": sent, "errors": errors, "wall": last[0] - t0,
            "cpu": time.process_time() - cpu0}


def phase(devs: list[Dev], mode: str, seconds: float, batch: int, rate: float,
          pool: Any) -> tuple[list[Dev], dict[str, Any]]:
    chunks = [devs[i::WORKERS] for i in range(WORKERS)]
    t0 = time.perf_counter()
    results = pool.map(_worker, [(c, mode, seconds, batch, rate) for c in chunks])
    dt = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r["lat"])
    sent = sum(r["sent"] for r in results)
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    # Workers advanced their copies of the chains: continue from the relay's view next time.
    wall = max(r["wall"] for r in results) or seconds  # until the last answer came
    return devs, {"env_s": sent / wall, "req_s": len(lat) / wall, "wall": dt, "reqs": len(lat),
                  "gen_cpu": sum(r["cpu"] for r in results),
                  "p50": 1000 * lat[len(lat) // 2] if lat else 0.0,
                  "p99": 1000 * lat[int(len(lat) * 0.99)] if lat else 0.0,
                  "mean": 1000 * statistics.fmean(lat) if lat else 0.0, "errors": errors}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes used so far, with that of their children that have
    exited (a PostgreSQL backend that closed) — Linux /proc; 0 where gone."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def postgres_pids(pgdata: str | None) -> list[int]:
    """The postmaster of the cluster in ``pgdata`` and its children (backends, WAL writer…)."""
    if not pgdata:
        return []
    master = int(Path(pgdata, "data", "postmaster.pid").read_text().split()[0])
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def bench_backend(name: str, dbs: list[str], seconds: float, pgdata: str | None = None
                  ) -> dict[str, dict[str, Any]]:
    """Each phase's figures, by its plan's label (also printed)."""
    procs = [start_relay(db) for db in dbs]
    results: dict[str, dict[str, Any]] = {}
    urls = [u for _, u in procs]
    relays = [p.pid for p, _ in procs]
    try:
        ctx = mp.get_context("spawn")
        with ctx.Pool(WORKERS) as pool:
            plans = [("closed", 5, 0.0, 1, ALONE),
                     ("open", 5, 10.0, 200, "200 devices, open loop, 2,000 env/s offered "
                                            "(5 per push, 2 pushes/s each)"),
                     ("closed", 5, 0.0, 200, CLOSED_5),
                     ("closed", 1, 0.0, 200, CLOSED_1)]
            for mode, batch, rate, count, label in plans:
                devs = setup_teams(urls)[:count]  # fresh teams: every phase starts at seq 1
                pg = postgres_pids(pgdata)
                relay0, pg0 = cpu_seconds(relays), cpu_seconds(pg)
                _, res = phase(devs, mode, seconds, batch, rate, pool)
                results[label] = res
                n = max(1, res["reqs"])
                cpu = [1000 * (cpu_seconds(relays) - relay0) / n,
                       1000 * (cpu_seconds(postgres_pids(pgdata)) - pg0) / n,
                       1000 * res["gen_cpu"] / n]
                print(f"  {name} ({len(urls)} relay process{'es' if len(urls) > 1 else ''}), "
                      f"{label}: {res['env_s']:,.0f} envelopes/s, {res['req_s']:,.0f} pushes/s, "
                      f"latency p50 {res['p50']:.1f} ms, p99 {res['p99']:.1f} ms"
                      + (f", errors {res['errors']}" if res["errors"] else "")
                      + f", load {os.getloadavg()[0]:.1f}")
                # What one push costs in CPU on this machine, and what that allows on its cores.
                print(f"    CPU per push: relay {cpu[0]:.2f} ms"
                      + (f", PostgreSQL {cpu[1]:.2f} ms" if pgdata else "")
                      + f", load generator {cpu[2]:.2f} ms → ceiling ≈ "
                      f"{1000 * (os.cpu_count() or 1) / sum(cpu):,.0f} pushes/s "
                      f"on {os.cpu_count()} cores")
    finally:
        for proc, _ in procs:
            proc.terminate()
            proc.wait(10)
    return results


ALONE = "one device alone, 5 envelopes per push"
CLOSED_5 = "200 devices, closed loop, 5 envelopes per push"
CLOSED_1 = "200 devices, closed loop, 1 envelope per push"


def timetagger_push(seconds: float, ours: dict[str, dict[str, Any]]) -> None:
    """TimeTagger (PyPI, on loopback: ``timetagger_peer``) under the closed loops' shapes —
    one connection, or 200 over 40 users (its teams); 5 or 1 records per PUT — against the
    relay's envelopes/s in the same run (one op per envelope, one record per op)."""
    from bench.timetagger_peer import TimeTagger, push_rate
    with TimeTagger(users=TEAMS) as tt:
        for clients, per_put, label in ((1, 5, ALONE), (TEAMS * PER_TEAM, 5, CLOSED_5),
                                        (TEAMS * PER_TEAM, 1, CLOSED_1)):
            res = push_rate(tt, clients=clients, per_put=per_put, seconds=seconds)
            ratios = ", ".join(f"{name} {r[label]['env_s'] / res['rec_s']:.1f}×"
                               for name, r in ours.items() if label in r)
            print(f"  TimeTagger {tt.version} (1 process, plaintext), {clients} connection"
                  f"{'s' if clients > 1 else ''}, closed loop, {per_put} record"
                  f"{'s' if per_put > 1 else ''} per PUT: "
                  f"{res['rec_s']:,.0f} records/s, latency p50 {res['p50']:.1f} ms, "
                  f"p99 {res['p99']:.1f} ms" + (f", errors {res['errors']}" if res["errors"]
                                                else "")
                  + f" → the relay pushes {ratios} as many, load {os.getloadavg()[0]:.1f}")


def run_push_bench(seconds: float, pg_relays: int = PG_RELAYS) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="az-bench-push-"))
    ours = {"SQLite": bench_backend("SQLite", [str(tmp / "relay.db")], seconds)}
    out = subprocess.run(["bash", str(ROOT / "scripts/pg-test-cluster.sh"), "start"],
                         check=True, capture_output=True, text=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    try:
        ours["PostgreSQL"] = bench_backend("PostgreSQL", [values["PGURL"]] * pg_relays,
                                           seconds, values["PGDATA"])
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/pg-test-cluster.sh"), "stop",
                        values["PGDATA"]], check=False)
    timetagger_push(seconds, ours)
