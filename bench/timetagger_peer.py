"""TimeTagger (PyPI ``timetagger``) as a plaintext peer for the benchmarks (issue 16).

It runs from its own venv in a cache folder (the project's dependencies stay untouched),
installed on first use, and serves on loopback with a temporary data folder, exactly as
``python -m timetagger`` does for one person. Its API (``/timetagger/api/v2/``) takes a JWT
in an ``authtoken`` header; ``bootstrap_authentication`` hands one out for user names and
passwords set in ``TIMETAGGER_CREDENTIALS`` (bcrypt hashes, made here with a low cost so
logging in is not what is measured). Records are TimeTagger's: ``key``, ``mt``, ``t1``,
``t2``, ``ds``; nothing is encrypted or signed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

VERSION = "26.1.3"  # pinned: the comparison stays reproducible; newer ones work the same way
PREFIX = "/timetagger/api/v2"


def venv_python() -> Path:
    """The interpreter of TimeTagger's own venv, created (and ``timetagger`` installed from
    PyPI) on first use."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = cache / "assistenzzeit-bench" / f"timetagger-{VERSION}"
    python = venv / "bin" / "python"
    if not (venv / "installed").exists():
        print(f"installing timetagger {VERSION} from PyPI into {venv} …", file=sys.stderr)
        # The base interpreter, not the project's venv: its packages must not leak in.
        base = Path(getattr(sys, "_base_executable", sys.executable))
        subprocess.run([str(base), "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"timetagger=={VERSION}"],
                       check=True)
        (venv / "installed").touch()
    return python


class TimeTagger:
    """A running TimeTagger server with ``users`` accounts, each logged in once."""

    def __init__(self, users: int = 1) -> None:
        python = venv_python()
        self.data = Path(tempfile.mkdtemp(prefix="az-bench-timetagger-"))
        names = [f"user{i}" for i in range(users)]
        password = "bench"
        hashed = subprocess.run(
            [str(python), "-c", "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), "
             "bcrypt.gensalt(4)).decode())", password],
            check=True, capture_output=True, text=True).stdout.strip()
        from bench.sync_load import free_port
        port = free_port()
        env = {**os.environ, "TIMETAGGER_BIND": f"127.0.0.1:{port}",
               "TIMETAGGER_DATADIR": str(self.data), "TIMETAGGER_LOG_LEVEL": "warning",
               "TIMETAGGER_CREDENTIALS": ",".join(f"{n}:{hashed}" for n in names)}
        self.log = (self.data / "server.log").open("wb")
        self.proc = subprocess.Popen([str(python), "-m", "timetagger"], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.data)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/timetagger/status", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"timetagger did not start; see {self.data / 'server.log'}")
        self.tokens = [self._login(n, password) for n in names]
        self.version = subprocess.run([str(python), "-c", "import timetagger; "
                                       "print(timetagger.__version__)"],
                                      check=True, capture_output=True, text=True).stdout.strip()

    def _login(self, user: str, password: str) -> str:
        body = base64.b64encode(json.dumps({"method": "usernamepassword", "username": user,
                                            "password": password}).encode())
        r = httpx.post(f"{self.url}{PREFIX}/bootstrap_authentication", content=body,
                       timeout=30)
        r.raise_for_status()
        return str(r.json()["token"])

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)

    def __enter__(self) -> TimeTagger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ records
    def upload(self, records: list[dict[str, Any]], per_put: int = 5000) -> float:
        """Put ``records`` for the first user in large PUTs (as its client syncs a backlog);
        returns records/s."""
        with httpx.Client(timeout=600, headers={"authtoken": self.tokens[0]}) as http:
            t0 = time.perf_counter()
            for i in range(0, len(records), per_put):
                r = http.put(f"{self.url}{PREFIX}/records", json=records[i:i + per_put])
                r.raise_for_status()
                if r.json()["failed"]:
                    raise RuntimeError(f"timetagger refused records: {r.json()['errors'][:3]}")
            return len(records) / (time.perf_counter() - t0)

    def pull_all(self) -> tuple[int, float, int]:
        """One plaintext pull of every record of the first user, as a fresh client does:
        (records, seconds including JSON decoding, bytes on the wire)."""
        with httpx.Client(timeout=600, headers={"authtoken": self.tokens[0]}) as http:
            t0 = time.perf_counter()
            r = http.get(f"{self.url}{PREFIX}/records", params={"timerange": f"0-{2**40}"})
            r.raise_for_status()
            got = r.json()["records"]
            dt = time.perf_counter() - t0
            wire = int(r.headers.get("content-length") or len(r.content))
        return len(got), dt, wire


def history_records(n: int, start: float = 1_664_582_400.0) -> list[dict[str, Any]]:
    """``n`` records shaped like the assistants' entries of the bench history: a few hours
    each, a tag per assistant and a short note, spread over the years."""
    now = int(time.time())
    out = []
    for i in range(n):
        t1 = int(start + i * 1000)
        out.append({"key": f"{i:08x}{random.getrandbits(32):08x}", "mt": now, "t1": t1,
                    "t2": t1 + 8 * 3600, "ds": f"#assistenz{i % 10:02d} Grundpflege, Haushalt"})
    return out


async def _closed_loop(url: str, tokens: list[str], clients: int, per_put: int,
                       seconds: float) -> dict[str, Any]:
    """``clients`` connections (spread over the users) each PUT ``per_put`` fresh records
    as fast as answers come, for ``seconds`` after all of them are connected."""
    sent, lat, errors = 0, [], 0
    ready, go = asyncio.Event(), asyncio.Event()
    connected = 0
    span = [0.0, 0.0]

    async def client(k: int) -> None:
        nonlocal sent, errors, connected
        one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(timeout=60, limits=one,
                                     headers={"authtoken": tokens[k % len(tokens)]}) as http:
            await http.get(f"{url}/timetagger/status")  # connected before the clock starts
            connected += 1
            if connected == clients:
                ready.set()
            await go.wait()
            while (t0 := time.perf_counter()) < span[0] + seconds:
                now = int(time.time())
                body = [{"key": f"{random.getrandbits(64):016x}", "mt": now, "t1": now - 600,
                         "t2": now, "ds": "#assistenz Einstempeln"} for _ in range(per_put)]
                r = await http.put(f"{url}{PREFIX}/records", json=body)
                if r.status_code != 200:
                    errors += 1
                    continue
                sent += len(r.json()["accepted"])
                span[1] = max(span[1], time.perf_counter())
                lat.append(span[1] - t0)

    async def start() -> None:
        await ready.wait()
        span[0] = time.perf_counter()
        go.set()

    await asyncio.gather(start(), *(client(k) for k in range(clients)))
    wall = span[1] - span[0]
    lat.sort()
    return {"rec_s": sent / wall, "req_s": len(lat) / wall, "errors": errors,
            "p50": 1000 * lat[len(lat) // 2] if lat else 0.0,
            "p99": 1000 * lat[int(len(lat) * 0.99)] if lat else 0.0}


def push_rate(tt: TimeTagger, clients: int = 200, per_put: int = 5,
              seconds: float = 8.0) -> dict[str, Any]:
    """Closed-loop push, the shape of ``sync_load``'s closed loop: records/s and latency."""
    return asyncio.run(_closed_loop(tt.url, tt.tokens, clients, per_put, seconds))
