"""A process killed with SIGKILL mid-write loses nothing it reported stored."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.store.store import Store
from tests.store.conftest import PASSPHRASE, Team

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(path: Path, seconds: float) -> list[str]:
    proc = subprocess.Popen([sys.executable, str(WORKER), str(path), PASSPHRASE],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    lines: list[str] = []
    # Wait until the worker is writing, then let it run a random while before the kill.
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            lines.append(line.strip())
            break
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    lines += [line.strip() for line in out.splitlines() if line.strip()]
    return lines


def test_store_survives_sigkill_during_clock_loop(team: Team) -> None:
    team.store.close()
    rng = random.Random(os.getpid())
    reported_in: set[str] = set()
    reported_out: set[str] = set()
    for _ in range(3):
        for line in _run_and_kill(team.path, rng.uniform(0.2, 1.5)):
            action, entry = line.split()
            (reported_in if action == "in" else reported_out).add(entry)
        store = Store.open(team.path)
        assert store.unlock(PASSPHRASE) == []
        entries = store.projection.rows["entry"]
        assert reported_in <= set(entries), "an entry reported stored is missing"
        for entry in reported_out:
            assert entries[entry]["end"] is not None, "a reported clock-out is missing"
        store.crash()  # no snapshot: the next round folds the whole log again
    assert len(reported_out) > 3
