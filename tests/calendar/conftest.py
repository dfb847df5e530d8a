"""Fixtures for the calendar tests: a real encrypted store with a small team and a DST-rich
set of shifts, a fixed clock (so "today" and the HLC-derived DTSTAMPs are stable), and
Mozilla's ical.js installed with npm on first use."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.store.services import Services
from app.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = Path(__file__).parent / "js"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# (id, start, end, assignee key, extra): a DST week in spring and in autumn, nights across
# both changes, an open shift and a standby night.
SHIFTS = [
    ("0190a000-0000-7000-8000-000000000001", "2026-03-27T07:00", "2026-03-27T15:00", "ben", {}),
    ("0190a000-0000-7000-8000-000000000002", "2026-03-28T22:00", "2026-03-29T06:00", "ben",
     {"kind": "standby"}),
    ("0190a000-0000-7000-8000-000000000003", "2026-03-29T07:00", "2026-03-29T15:00", "clara", {}),
    ("0190a000-0000-7000-8000-000000000004", "2026-03-30T07:00", "2026-03-30T15:00", None, {}),
    ("0190a000-0000-7000-8000-000000000005", "2026-10-24T22:00", "2026-10-25T06:00", "clara",
     {"location": "Wohnung Becker", "instructions": "Lagerung um 2 Uhr."}),
    ("0190a000-0000-7000-8000-000000000006", "2026-10-25T01:30", "2026-10-25T03:30", "ben", {}),
    ("0190a000-0000-7000-8000-000000000007", "2026-10-26T07:00", "2026-10-26T15:00", "ben", {}),
]


@dataclass
class Team:
    services: Services
    store: Store
    ids: dict[str, str]


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def team(tmp_path: Path, clock: Callable[[], datetime]) -> Team:
    store = Store.create(tmp_path / "store", "pw", kdf_n=2**12, clock=clock)
    services = Services(store)
    services.create_team("Assistenzteam Anna", "Anna Becker", short_name="Anna")
    ids = {"anna": store.member_id,
           "ben": services.add_member("Ben Meyer"),
           "clara": services.add_member("Clara Schmidt"),
           "paul": services.add_member("Paul Proxy", role="proxy"),
           "lohn": services.add_member("Lohnbüro", role="payroll")}
    services.plan_shifts([
        {"id": sid, "start": s, "end": e, "assignee_id": ids[who] if who else None, **extra}
        for sid, s, e, who, extra in SHIFTS])
    yield Team(services, store, ids)
    store.close()


@pytest.fixture(scope="session")
def icaljs() -> Callable[[bytes], dict[str, Any]]:
    """Parse a feed with ical.js under node; installs the npm package when missing."""
    if not (JS_DIR / "node_modules" / "ical.js").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed for the ical.js cross-check (scripts/system-deps.sh)"
        subprocess.run([npm, "ci", "--prefix", str(JS_DIR), "--no-audit", "--no-fund"],
                       check=True, capture_output=True, timeout=300)

    def parse(body: bytes) -> dict[str, Any]:
        done = subprocess.run(["node", str(JS_DIR / "parse.mjs")], input=body,
                              capture_output=True, check=True, timeout=60)
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    return parse


# A real relay process: uvicorn serving the relay's real app factory on a SQLite file.
SERVE = ("import sys, uvicorn; from app.sync.relay_app import create_app; "
         "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]), "
         "log_level='warning')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "relay.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, str(tmp_path / "relay.db"),
                                 str(port)], cwd=ROOT, env=os.environ.copy(),
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        for _ in range(200):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError("relay did not start: " + log.read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client
