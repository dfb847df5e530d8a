"""Sync benchmarks (issue #6), loopback only, bounded; prints figures, asserts nothing.

1. Initial sync of a 5-year, 10-assistant history (~150k ops) to a fresh device, end to end
   through a real relay process on SQLite: download, verify, decrypt, fold, store durably.
   Targets: ≥ 50,000 ops/s; ≤ 120 bytes per op on the wire (gzip, as httpx receives it).
   A cProfile of a second fresh device shows where the time goes.
2. Relay push throughput and latency with 200 simulated devices (40 teams × 5), on SQLite
   (one relay process) and PostgreSQL (two relay processes sharing one cluster):
   open loop at 2,000 envelopes/s offered, then closed loop (as fast as it goes).
   Targets on PostgreSQL: ≥ 2,000 envelopes/s, p99 ≤ 100 ms. Then TimeTagger (PyPI, one
   process on loopback, plaintext) under the same closed loops: the relay's ratio to it.

    python bench/bench_sync.py [--years 5] [--skip-initial] [--skip-push] [--seconds 8]
                               [--per-shift-only] [--no-profile] [--keep DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.store import disk, ingest
from app.store.envelope import open_envelope
from app.store.projection import Projection
from app.store.services import Services
from app.store.store import Change, Store, uuid7
from app.sync.client import SyncClient
from app.sync.pairing import approve, create_invite, join_with_code, pending_requests
from bench.sync_load import run_push_bench, start_relay

PW = "bench"
KDF_N = 2**10
SHIFTS_PER_DAY = 12  # 10 assistants, short and double-staffed shifts around the clock
SLOTS = [(0, 6), (6, 12), (12, 18), (18, 24)]


def build_history(store_dir: Path, years: int, per_shift: bool) -> tuple[Services, int, int]:
    """An employer store with ``years`` of history. Commits mirror the app: a month's plan in
    one commit; every clock event, handover note and checklist tick its own commit. With
    ``per_shift`` the devices push once per shift (their backlog becomes push-batch
    envelopes, ``ingest.batch_unpushed``); else every commit is pushed on its own."""
    store = Store.create(store_dir, PW, kdf_n=KDF_N)
    store._conn.execute("PRAGMA synchronous=OFF")  # generating, not what is measured
    services = Services(store)
    services.create_team("Bench-Team", "Anna Becker")
    members = [services.add_member(f"Assistenz {i}", "assistant") for i in range(10)]
    start = date(2021, 1, 1)
    days = 365 * years
    ops = 0
    pushed = 1  # the genesis stays alone
    month_first = start
    while month_first < start + timedelta(days=days):
        nxt = (month_first.replace(day=28) + timedelta(days=4)).replace(day=1)
        plan: list[tuple[str, str, str, str]] = []
        d = month_first
        while d < nxt:
            for i in range(SHIFTS_PER_DAY):
                a, b = SLOTS[i % 4]
                s = f"{d.isoformat()}T{a:02d}:00"
                e = (f"{d.isoformat()}T{b:02d}:00" if b < 24
                     else f"{(d + timedelta(days=1)).isoformat()}T00:00")
                plan.append((uuid7(), members[i % 10], s, e))
            d += timedelta(days=1)
        store.commit([Change("shift.planned", "shift", sid, {
            "start": s, "end": e, "kind": "work", "assignee_id": m, "status": "planned",
            "location": "Zuhause", "instructions": "Grundpflege, Haushalt", "checklist": []})
            for sid, m, s, e in plan])
        ops += len(plan)
        pushed = int(store._conn.execute("SELECT max(seq) FROM envelopes").fetchone()[0])
        for sid, m, s, e in plan:
            eid = uuid7()
            mid = s[:11] + f"{int(s[11:13]) + 3:02d}:00"
            store.commit([Change("entry.clocked_in", "entry", eid, {
                "member_id": m, "start": s, "end": None, "shift_id": sid, "kind": "work",
                "source": "clock", "note": "", "breaks": []})])
            store.commit([Change("entry.break_started", "entry", eid, {
                "member_id": m, "breaks": [{"start": mid, "end": None}]})])
            store.commit([Change("entry.break_ended", "entry", eid, {
                "member_id": m, "breaks": [{"start": mid, "end": mid[:14] + "30"}]})])
            store.commit([Change("entry.clocked_out", "entry", eid, {
                "member_id": m, "end": e, "breaks": [{"start": mid, "end": mid[:14] + "30"}]})])
            store.commit([Change("shift.updated", "shift", sid, {"checklist": ["erledigt"]})])
            store.commit([Change("handover.written", "handover", uuid7(), {
                "author_id": m, "shift_id": sid, "text": "Alles ruhig."})])
            ops += 6
            if per_shift:
                ingest.batch_unpushed(store, pushed)
                pushed = int(store._conn.execute("SELECT max(seq) FROM envelopes").fetchone()[0])
        month_first = nxt
    # What the devices pushed back then is on the relay as it was: never re-batched now.
    ingest.set_cursor(store, "sent_seq", int(store.meta("seq") or 0))
    store.write_snapshot()
    return services, ops, store.envelope_count()


def fresh_device(employer: Services, relay_url: str, where: Path) -> Services:
    with SyncClient(employer.store, relay_url) as client:
        invite = create_invite(employer, client, "employer", "Anna Becker")
        joined = join_with_code(where, PW, invite.code, "Zweitgerät", kdf_n=KDF_N)
        req = next(r for r in pending_requests(employer, client)
                   if r.device == joined.store.device_id)
        approve(employer, client, req)
    return Services(joined.store)


def fold_only(services: Services) -> None:
    """The fold alone (no network, no crypto): the ceiling for end-to-end ops/s."""
    store = services.store
    ops = []
    for _, env in disk.iter_envelopes(store._conn, 0):
        key = None if env.scope == "membership" else store.ring.scopes[(env.scope, env.epoch)]
        ops.extend(open_envelope(env, key))
    proj = Projection()
    gc.disable()  # as during ingest
    t0 = time.perf_counter()
    proj.fold(ops)
    dt = time.perf_counter() - t0
    gc.enable()
    print(f"  fold alone (app/store/projection.py, in memory, GC paused as in ingest): "
          f"{len(ops) / dt:,.0f} ops/s")


def uploaded_history(tmp: Path, years: int, per_shift: bool, relay_url: str) -> Services:
    """Build the history and push it to the relay, or reuse one a ``--keep`` run left."""
    if (tmp / "employer" / "uploaded").exists():
        store = Store.open(tmp / "employer")
        store.unlock(PW)
        print(f"history reused from {tmp}: {store.envelope_count()} envelopes")
        return Services(store)
    t0 = time.perf_counter()
    employer, ops, envs = build_history(tmp / "employer", years, per_shift)
    print(f"history ({'devices push once per shift' if per_shift else 'every commit pushed alone'}): {ops} ops in {envs} envelopes ({ops / envs:.1f} ops/envelope), "
          f"built in {time.perf_counter() - t0:.0f} s")
    with SyncClient(employer.store, relay_url) as up:
        up.checkpoint_every = 2**62  # this row measures a full replay (bench_join: checkpoints)
        t0 = time.perf_counter()
        up.sync()
        dt = time.perf_counter() - t0
        print(f"upload from the employer: {envs / dt:,.0f} envelopes/s, "
              f"{up.relay.bytes_up / envs:.0f} bytes/envelope up (JSON, uncompressed)")
    (tmp / "employer" / "uploaded").touch()
    return employer


def initial_sync(years: int, per_shift: bool, profile: bool, keep: Path | None = None) -> None:
    tmp = keep or Path(tempfile.mkdtemp(prefix="az-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    for old in ("fresh", "profiled"):
        shutil.rmtree(tmp / old, ignore_errors=True)
    proc, relay_url = start_relay(str(tmp / "relay.db"))
    try:
        employer = uploaded_history(tmp, years, per_shift, relay_url)
        device = fresh_device(employer, relay_url, tmp / "fresh")
        with SyncClient(device.store, relay_url) as client:
            t0 = time.perf_counter()
            report = client.sync()
            dt = time.perf_counter() - t0
            wire = client.relay.bytes_down
        print(f"initial sync, fresh device: {report.ops} ops, {report.pulled} envelopes in "
              f"{dt:.2f} s → {report.ops / dt:,.0f} ops/s (target ≥ 50,000), "
              f"load {os.getloadavg()[0]:.1f}")
        print(f"  wire: {wire:,} bytes received → {wire / report.ops:.0f} bytes/op "
              f"(target ≤ 120), {wire / report.pulled:.0f} bytes/envelope")
        assert device.store.projection.fingerprint() == employer.store.projection.fingerprint()
        print("  the fresh device's projection equals the employer's")
        fold_only(device)
        device.store.close()
        if not profile:
            employer.store.close()
            return
        second = fresh_device(employer, relay_url, tmp / "profiled")
        prof = cProfile.Profile()
        with SyncClient(second.store, relay_url) as client:
            prof.runcall(client.sync)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(14)
        print("  where the time goes (cProfile, by own time):")
        for line in out.getvalue().splitlines()[6:24]:
            print("   ", line[:150])
        second.store.close()
        employer.store.close()
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--skip-initial", action="store_true")
    p.add_argument("--skip-push", action="store_true")
    p.add_argument("--per-shift-only", action="store_true",
                   help="only the history whose devices push once per shift")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--keep", type=Path, help="build the per-shift history here once and "
                   "reuse it on later runs (delete the folder after a wire-format change)")
    args = p.parse_args()
    if not args.skip_initial:
        print("== initial sync")
        initial_sync(args.years, per_shift=True, profile=not args.no_profile, keep=args.keep)
        if not args.per_shift_only:
            initial_sync(args.years, per_shift=False, profile=False)
    if not args.skip_push:
        print("== relay push, 200 devices")
        run_push_bench(args.seconds)


if __name__ == "__main__":
    main()
