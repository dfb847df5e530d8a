"""Unlock of long histories (issue 16): time and peak memory, for 1, 5 and 10 years.

For each length, a 10-assistant history (``bench/common.py``: one envelope per member and
day, ~29k ops a year) is written with a snapshot and one more week of clocking after it.
Then a **fresh subprocess** unlocks it, as the app does after a start: the snapshot plus
the tail, KDF excluded. It reports the unlock's wall time and the process's peak RSS
(``resource.getrusage``'s ``ru_maxrss``), and the RSS before unlocking (interpreter and
imports), so the figure is what unlocking costs on top of a started app. Also printed:
the snapshot's size, and what its state document is made of.

    .venv/bin/python bench/bench_unlock.py [--years 1 5 10] [--keep DIR]

With ``--unsigned`` no month is signed (the history issue 16 first measured): then all of
it stays in memory. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import zlib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.store.crypto import open_sealed
from app.store.services import Services
from app.store.store import Store
from bench.common import PASSPHRASE, history_team, timed

# Signing needs the legal tables (Mindestlohn, …), which start in October 2022; a signed
# history of 10 years therefore runs from there into the future.
SIGNED_START = date(2022, 10, 1)


def build(where: Path, years: int, signed: bool) -> int:
    """The history with a snapshot and a week's tail after it; the op count."""
    marker = where / "ops"
    if marker.exists():
        return int(marker.read_text())
    start = SIGNED_START if signed else None
    seconds, (store, _sv, ops) = timed(lambda: history_team(where, years=years,
                                                            sign_months=signed, start=start))
    store.close()  # writes the snapshot
    # The tail: a week of clocking after the snapshot, in the history's last (open) month.
    end = (start or date.today().replace(day=1) - timedelta(days=365 * years)
           ) + timedelta(days=365 * years)
    store = Store.open(where, clock=lambda: datetime.combine(end, time(11), UTC))
    store.unlock(PASSPHRASE)
    sv = Services(store)
    for member in [m["id"] for m in sv.members("assistant")]:
        with store.acting_as(member):
            for _ in range(7):
                sv.clock_in(member)
                sv.clock_out(member)
    store.crash()
    marker.write_text(str(ops))
    print(f"  {years} y: {ops:,} ops generated in {seconds:.0f} s", file=sys.stderr)
    return int(ops)


def measure(where: Path) -> dict[str, Any]:
    """Runs in the fresh subprocess: unlock once and report."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store = Store.open(where)
    t0 = perf_counter()
    damaged = store.unlock(PASSPHRASE)
    seconds = perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = sum(len(r) for r in store.projection.rows.values())
    store.crash()
    return {"seconds": seconds, "peak_mb": peak / 1024, "before_mb": before / 1024,
            "rows": rows, "damaged": len(damaged), "snapshot": snapshot_parts(where)}


def snapshot_parts(where: Path) -> str:
    """Sizes of the snapshot blob, and of the parts of its state document if it has one."""
    store = Store.open(where)
    store.unlock(PASSPHRASE)
    upto, blob = store._conn.execute("SELECT upto, blob FROM snapshot").fetchone()
    raw = zlib.decompress(open_sealed(store.ring.master, blob, f"snapshot/{upto}".encode(),
                                      "snapshot"))
    parts = [f"snapshot {len(blob) / 1e6:.1f} MB sealed, {len(raw) / 1e6:.1f} MB inflated"]
    store.crash()
    return ", ".join(parts)


def _child(*args: str) -> str:
    """Run a step in its own process. Building happens in a child too: on Linux a process
    starts with its parent's peak RSS (``ru_maxrss`` survives fork and exec), so the parent
    must stay small for the unlock's peak to be its own."""
    done = subprocess.run([sys.executable, __file__, *args], check=True, text=True,
                          stdout=subprocess.PIPE)
    return done.stdout.splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--keep", type=Path, help="build histories here once and reuse them")
    parser.add_argument("--unsigned", action="store_true",
                        help="no month signed (issue 16's first measurement): all stays open")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.build:
        print(build(args.build, args.years[0], not args.unsigned))
        return
    print(f"bench_unlock {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; "
          f"{'nothing signed' if args.unsigned else 'past months signed and countersigned'}")
    base = args.keep or Path(tempfile.mkdtemp(prefix="az-unlock-"))
    results: dict[int, dict[str, Any]] = {}
    for years in args.years:
        where = base / f"{years}y{'' if args.unsigned else '-signed'}"
        flags = ["--unsigned"] if args.unsigned else []
        ops = int(_child("--build", str(where), "--years", str(years), *flags))
        out = _child("--measure", str(where))
        r = results[years] = json.loads(out.splitlines()[-1])
        print(f"unlock, {years:>2} y ({ops:,} ops, {r['rows']:,} rows in memory): "
              f"{r['seconds']:.3f} s, "
              f"peak RSS {r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB before unlocking)"
              f"{'' if not r['damaged'] else ', DAMAGED'}; {r['snapshot']}")
    if 5 in results and 10 in results:
        five, ten = results[5], results[10]
        print(f"10 y / 5 y: time {ten['seconds'] / five['seconds']:.2f}×, "
              f"peak RSS {ten['peak_mb'] / five['peak_mb']:.2f}× (target < 1.3×)")


if __name__ == "__main__":
    main()
