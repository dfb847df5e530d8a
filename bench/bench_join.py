"""A new device joins a team with years of history (issue 16): time and memory, against
TimeTagger's plaintext pull of as many records in the same run.

Per history length (``--years 1,5,10``; default 5), with the 10-assistant history of
``bench/bench_unlock.py`` (past months signed and countersigned, a week of clocking after
the snapshot; ``--unsigned``: nothing signed):

1. The employer's device uploads the history to a real relay process on loopback.
2. TimeTagger (``bench/timetagger_peer.py``: PyPI ``timetagger`` in its own venv, on
   loopback) gets as many records as the history has ops; one plaintext pull of all of
   them (``GET /api/v2/records?timerange=…``) is timed three times: records/s.
3. The employer invites its own second device (``create_invite``), the new device asks
   (``join_with_code``), the employer approves (``approve``); then the new device syncs
   through the normal API (``SyncClient.sync``). Measured from approval: **usable** — the
   roster of the history's newest month (the open one, "this month") renders from the
   device's store with all its shifts (``roster_data``: what ``app/views/roster.py`` reads)
   — and **complete**: the first ``sync`` round returned (every scope the device reads is
   there, with the tail after the checkpoint); when the device started from a checkpoint
   (the report or the store says so), also when the next round, which fetches the history
   before the checkpoint and checks it by a full replay, returned. Printed: the history's ops per second to usable and to
   complete, their ratio to TimeTagger's pull rate, bytes/op on the wire, the joining
   process's peak RSS, and which path the join took (checkpoint, else full replay).

``AZ_JOIN_PROFILE=file`` writes a cProfile of the joining device's first sync round there
(the figures then include the profiler's cost).

Each side runs in its own process, started by this small parent: on Linux a process
inherits its parent's peak RSS (``ru_maxrss`` survives fork and exec), so the joining
device's figure is its own. The machine's load is printed with every figure.

``--replay`` makes the new device ignore the checkpoint and replay the whole log (the path
of a device whose checkpoint was refused, or of a team without one).

    .venv/bin/python bench/bench_join.py [--years 1,5,10] [--keep DIR] [--unsigned] [--replay]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_load import start_relay

EMPLOYER = "Erika Muster"  # bench.common.history_team's employer: the joiner is her tablet


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def newest_month(years: int, signed: bool) -> str:
    """The history's last (open) month, where its tail of clocking lies: "this month"."""
    from bench.bench_unlock import SIGNED_START
    start = SIGNED_START if signed else date.today().replace(day=1) - timedelta(days=365 * years)
    return (start + timedelta(days=365 * years - 1)).isoformat()[:7]


def month_range(month: str) -> tuple[str, str]:
    first = date.fromisoformat(month + "-01")
    after = (first + timedelta(days=32)).replace(day=1)
    return f"{first.isoformat()}T00:00", f"{after.isoformat()}T00:00"


def roster_data(services: Any, month: str) -> dict[str, Any]:
    """What the month roster screen (``app/views/roster.py``) reads from the store."""
    from app.store import planning, reports
    first, after = month_range(month)
    shifts = services.shifts_between(first, after)
    names = {m["id"]: m["display_name"] for m in services.members(include_inactive=True)}
    warnings = [reports.plan_warnings(services, m, month)
                for m in sorted({s["assignee_id"] for s in shifts if s["assignee_id"]})]
    gaps = planning.uncovered(services, first[:10], after[:10])
    return {"shifts": len(shifts), "members": len(names), "warnings": len(warnings),
            "gaps": len(gaps)}


# ---------------------------------------------------------------------- child processes
def upload(where: Path, url: str) -> dict[str, Any]:
    """The employer's device pushes the whole history (once per kept relay database)."""
    from app.store import ingest
    from app.store.store import Store
    from app.sync.client import SyncClient
    from bench.common import PASSPHRASE
    store = Store.open(where)
    store.unlock(PASSPHRASE)
    # The devices pushed these envelopes as they were made: upload them as they are, not
    # re-batched into a few large ones (as ``bench_sync.build_history`` does).
    ingest.set_cursor(store, "sent_seq", int(store.meta("seq") or 0))
    with SyncClient(store, url) as client:
        t0 = time.perf_counter()
        report = client.sync()
        dt = time.perf_counter() - t0
    envelopes = store.envelope_count()
    store.crash()  # no snapshot rewrite: the next step reads the store as built
    return {"envelopes": envelopes, "pushed": report.pushed, "seconds": dt}


def employer_side(where: Path, url: str, month: str) -> None:
    """Invite, then (told the new device's id on stdin) approve; JSON lines on stdout."""
    from app.store.services import Services
    from app.store.store import Store
    from app.sync.client import SyncClient
    from app.sync.pairing import approve, create_invite, pending_requests
    from bench.common import PASSPHRASE
    store = Store.open(where)
    store.unlock(PASSPHRASE)
    services = Services(store)
    expected = roster_data(services, month)
    with SyncClient(store, url) as client:
        invite = create_invite(services, client, "employer", EMPLOYER)
        print(json.dumps({"code": invite.code, "expected": expected}), flush=True)
        device = sys.stdin.readline().strip()
        req = next(r for r in pending_requests(services, client) if r.device == device)
        t0 = time.perf_counter()
        approve(services, client, req)
        seconds = time.perf_counter() - t0
    store.crash()  # no snapshot now: it would compete with the joining device for the CPU
    print(json.dumps({"approved": seconds}), flush=True)


def checkpoint_path(store: Any, report: Any) -> str:
    """Which way the device started: from a checkpoint if its store's ``checkpoint`` record
    says started or verified (or the report says it started from one); else full replay,
    with what the record or the report said (a refused checkpoint, one made here)."""
    raw = store.meta("checkpoint")
    record = json.loads(raw) if raw else {}
    said = [f"{name}: {getattr(report, name)}" for name in dir(report)
            if "checkpoint" in name.lower() and not name.startswith("__")
            and not callable(getattr(report, name)) and getattr(report, name)]
    if record:
        said.insert(0, f"record: {record.get('state')} {record.get('reason') or ''}".strip())
    notes = "; ".join(said)
    if record.get("state") in ("started", "verified") or any("started from" in s
                                                              for s in said):
        return f"checkpoint ({notes})"
    return "full replay" + (f" ({notes})" if notes else "")


def joiner_side(where: Path, url: str, code: str, month: str, expected: int) -> None:
    """The new device: ask to join, wait for "go" (approved), sync, report as JSON."""
    # The app has the roster screen's modules loaded before it joins (``app.flet_main``
    # imports ``app.views.roster``, which imports these and, through them, ``holidays``):
    # loading them is not part of joining.
    from app.store import planning, reports  # noqa: F401
    from app.store.services import Services
    from app.sync.client import SyncClient
    from app.sync.pairing import join_with_code
    from bench.bench_sync import KDF_N, PW
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    joined = join_with_code(where, PW, code, "Tablet", kdf_n=KDF_N)
    if os.environ.get("AZ_JOIN_REPLAY"):  # --replay: as if its checkpoint had been refused
        from app.store import checkpoint
        checkpoint.set_state(joined.store, "refused", "bench_join --replay")
    services = Services(joined.store)
    print(joined.store.device_id, flush=True)
    sys.stdin.readline()  # approved
    t0 = time.perf_counter()
    first, after = month_range(month)
    state: dict[str, Any] = {"usable": None, "checks": 0.0, "roster": None, "pages": 0,
                             "stages": {}}

    def usable_now() -> None:
        """Usable once the month's shifts are all there and the screen's data reads; the
        failed looks before do not count (the app does not make them)."""
        c0 = time.perf_counter()
        if len(services.shifts_between(first, after)) >= expected:  # cheap test first
            state["roster"] = roster_data(services, month)
            state["usable"] = time.perf_counter() - t0 - state["checks"]
        else:
            state["checks"] += time.perf_counter() - c0

    def progress(stage: str, _n: int) -> None:
        state["stages"].setdefault(stage, time.perf_counter() - t0 - state["checks"])
        if stage == "pull":
            state["pages"] += 1
        if state["usable"] is None and stage != "push":
            usable_now()

    rounds = []
    profile = os.environ.get("AZ_JOIN_PROFILE")  # a file for the first round's cProfile
    with SyncClient(joined.store, url, progress=progress) as client:
        if profile:
            import cProfile
            prof = cProfile.Profile()
            report = prof.runcall(client.sync)
            prof.dump_stats(profile)
        else:
            report = client.sync()
        rounds.append((time.perf_counter() - t0 - state["checks"], report))  # less failures
        path = checkpoint_path(joined.store, report)
        peak_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if path.startswith("checkpoint"):
            # Started from a checkpoint: the next round fetches the history before it and
            # checks it by a full replay (the audit: the device works meanwhile).
            report = client.sync()
            rounds.append((time.perf_counter() - t0 - state["checks"], report))
        wire = client.relay.bytes_down
    last = checkpoint_path(joined.store, rounds[-1][1])
    if state["usable"] is None:
        usable_now()
    peak_sync = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0 = time.perf_counter()
    joined.store.close()  # the first snapshot: signed months leave memory from here on
    print(json.dumps({
        "ops": sum(r.ops for _, r in rounds), "envelopes": sum(r.pulled for _, r in rounds),
        "first_round": rounds[0][0], "complete": rounds[-1][0],
        "path": path, "last_round": last,
        "usable": state["usable"], "checks": state["checks"], "roster": state["roster"],
        "pages": state["pages"], "wire": wire, "stages": state["stages"],
        "close": time.perf_counter() - c0, "before_mb": before / 1024,
        "peak_first_mb": peak_first / 1024, "peak_sync_mb": peak_sync / 1024,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


def timetagger_side(records: int) -> None:
    """TimeTagger with ``records`` records: bulk upload, then three timed pulls of all."""
    from bench.timetagger_peer import TimeTagger, history_records
    with TimeTagger() as tt:
        up = tt.upload(history_records(records))
        pulls = [tt.pull_all() for _ in range(3)]
    assert all(n == records for n, _, _ in pulls), pulls
    print(json.dumps({"version": tt.version, "upload": up,
                      "rates": [n / dt for n, dt, _ in pulls], "wire": pulls[0][2]}))


# ---------------------------------------------------------------------- the parent
def _child(*args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], check=True, text=True,
                          stdout=subprocess.PIPE)
    return done.stdout.splitlines()[-1]


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def _line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"child {proc.args!r} ended early (exit {proc.wait()})")
    return line.strip()


def _send(proc: subprocess.Popen[str], text: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(text + "\n")
    proc.stdin.flush()


def join_once(where: Path, url: str, month: str, expected: dict[str, Any]) -> dict[str, Any]:
    employer = _spawn("--employer", str(where), url, month)
    invite = json.loads(_line(employer))
    joiner = _spawn("--joiner", str(where.parent / f"joiner-{time.time_ns()}"), url,
                    invite["code"], month, str(invite["expected"]["shifts"]))
    _send(employer, _line(joiner))
    approved = json.loads(_line(employer))
    employer.wait(60)
    _send(joiner, "go")
    result: dict[str, Any] = json.loads(_line(joiner))
    joiner.wait(60)
    result["approve"] = approved["approved"]
    expected.update(invite["expected"])
    return result


def bench_years(base: Path, years: int, signed: bool) -> None:
    where = base / f"{years}y{'-signed' if signed else ''}"
    flags = [] if signed else ["--unsigned"]
    t0 = time.perf_counter()
    ops = int(_child("--build", str(where), "--years", str(years), *flags))
    print(f"{years} y history: {ops:,} ops ({time.perf_counter() - t0:.0f} s to build or "
          f"reuse), {load()}", flush=True)
    proc, url = start_relay(str(where / "relay.db"))
    try:
        if not (where / "uploaded").exists():
            up = json.loads(_child("--upload", str(where), url))
            (where / "uploaded").touch()
            print(f"  upload from the employer: {up['envelopes']:,} envelopes in "
                  f"{up['seconds']:.1f} s, {load()}", flush=True)
        tt = json.loads(_child("--timetagger", str(ops)))
        tt_rate = sorted(tt["rates"])[1]
        print(f"  TimeTagger {tt['version']}, {ops:,} records: bulk upload "
              f"{tt['upload']:,.0f} rec/s; plaintext pull of all "
              f"{', '.join(f'{r:,.0f}' for r in tt['rates'])} rec/s (median "
              f"{tt_rate:,.0f}), {tt['wire'] / ops:.0f} bytes/record, {load()}", flush=True)
        month = newest_month(years, signed)
        expected: dict[str, Any] = {}
        r = join_once(where, url, month, expected)
        print(f"  join ({r['path']}), approval took {r['approve']:.2f} s; from approval "
              f"({load()}):", flush=True)
        print(f"    usable (roster {month}: {r['roster']['shifts'] if r['roster'] else 0} of "
              f"{expected['shifts']} shifts) after {r['usable']:.2f} s (target ≤ 3 s) "
              f"→ {ops / r['usable']:,.0f} history ops/s = "
              f"{ops / r['usable'] / tt_rate:.2f}× TimeTagger's pull")
        print("    stages (first time reached, s from approval): " + ", ".join(
            f"{k} {v:.2f}" for k, v in r["stages"].items()))
        first = r["first_round"]
        print(f"    complete after {first:.2f} s (the first sync round returned: every scope "
              f"this device reads is here, with the tail) → {ops / first:,.0f} history ops/s "
              f"= {ops / first / tt_rate:.2f}× TimeTagger's pull (target ≥ 1.0×)")
        if r["complete"] != first:
            rate = ops / r["complete"]
            print(f"    history fetched and checked after {r['complete']:.2f} s (the next "
                  f"round: {r['last_round']}) → {rate:,.0f} ops/s = {rate / tt_rate:.2f}× "
                  "TimeTagger's pull")
        print(f"    {r['ops']:,} ops pulled in {r['envelopes']:,} envelopes, {r['pages']} pages;"
              f" {r['wire'] / 1e6:.1f} MB on the wire = {r['wire'] / ops:.0f} bytes per "
              f"history op, {load()}")
        print(f"    peak RSS of the joining process {r['peak_first_mb']:.0f} MB after the first "
              f"round, {r['peak_sync_mb']:.0f} MB after the history was checked, "
              f"{r['peak_mb']:.0f} MB after its first snapshot ({r['close']:.2f} s); "
              f"{r['before_mb']:.0f} MB before joining; failed looks for usable took "
              f"{r['checks']:.2f} s (not counted)", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--years", default="5", help="comma-separated, e.g. 1,5,10")
    p.add_argument("--keep", type=Path, help="build histories (and relay databases) here "
                   "once and reuse them")
    p.add_argument("--unsigned", action="store_true", help="no month signed")
    p.add_argument("--replay", action="store_true", help="the new device replays the log")
    p.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--upload", nargs=2, help=argparse.SUPPRESS)
    p.add_argument("--employer", nargs=3, help=argparse.SUPPRESS)
    p.add_argument("--joiner", nargs=5, help=argparse.SUPPRESS)
    p.add_argument("--timetagger", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.build:
        from bench.bench_unlock import build
        print(build(args.build, int(args.years), not args.unsigned))
    elif args.upload:
        print(json.dumps(upload(Path(args.upload[0]), args.upload[1])))
    elif args.employer:
        employer_side(Path(args.employer[0]), args.employer[1], args.employer[2])
    elif args.joiner:
        w, url, code, month, expected = args.joiner
        joiner_side(Path(w), url, code, month, int(expected))
    elif args.timetagger:
        timetagger_side(args.timetagger)
    else:
        if args.replay:
            os.environ["AZ_JOIN_REPLAY"] = "1"  # the joining child reads it
        print(f"bench_join {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
              f"{load()}; {'nothing signed' if args.unsigned else 'past months signed'}")
        base = args.keep or Path(tempfile.mkdtemp(prefix="az-join-"))
        try:
            for years in (int(y) for y in args.years.split(",")):
                bench_years(base, years, not args.unsigned)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
