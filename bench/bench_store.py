"""Store benchmarks (issue 2). Prints figures; never asserts times.

1. clock-in latency: tap → envelope durable (WAL, synchronous=FULL), 1,000 taps;
2. unlock of a 5-year, 10-assistant history (~150k ops): snapshot + tail, and full replay,
   excluding the KDF (timed separately at the default cost);
3. bulk writes through the encrypted store vs plain SQLModel on a plaintext SQLite file,
   same rows, same transactions: the ratio.

    .venv/bin/python bench/bench_store.py [--years 5] [--skip-unlock]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, SQLModel, create_engine

from app.domain.model import Shift
from app.store.crypto import ScryptParams
from app.store.services import Services
from app.store.store import DEFAULT_KDF_N, Store, uuid7
from bench.common import PASSPHRASE, history_team, summary_ms, timed


def bench_clock_in(tmp: Path, taps: int = 1000) -> None:
    store = Store.create(tmp / "clock", PASSPHRASE, kdf_n=2**12)
    sv = Services(store)
    sv.create_team("Bench", "Erika Muster", "NW")
    ben = sv.add_member("Ben", "assistant")
    times = []
    with store.acting_as(ben):
        for i in range(taps):
            action = sv.clock_in if i % 2 == 0 else sv.clock_out
            seconds, _ = timed(lambda action=action: action(ben))
            times.append(seconds)
    store.close()
    print(f"clock-in/out latency over {taps} taps: {summary_ms(times)} (target p95 <= 30 ms), "
          f"load {os.getloadavg()[0]:.1f}")


def bench_unlock(tmp: Path, years: int) -> None:
    seconds, (store, _sv, ops) = timed(lambda: history_team(tmp / "history", years=years))
    envelopes = store.envelope_count()
    print(f"history: {ops} ops in {envelopes} envelopes, generated in {seconds:.1f} s")
    store.write_snapshot()
    # A tail after the snapshot: one more week of clocking.
    sv = Services(store)
    members = [m["id"] for m in sv.members("assistant")]
    for member in members:
        with store.acting_as(member):
            for _ in range(7):
                sv.clock_in(member)
                sv.clock_out(member)
    store.crash()
    size = (tmp / "history" / "assistenzzeit.db").stat().st_size
    print(f"store file: {size / 1e6:.1f} MB")
    fresh = Store.open(tmp / "history")
    t_snap, damaged = timed(lambda: fresh.unlock(PASSPHRASE))
    assert not damaged
    rows = sum(len(r) for r in fresh.projection.rows.values())
    fresh.crash()
    replay = Store.open(tmp / "history")
    t_full, damaged = timed(lambda: replay.verify_all(PASSPHRASE))
    assert not damaged
    replay.crash()
    kdf, _ = timed(lambda: ScryptParams(os.urandom(16), DEFAULT_KDF_N).derive(PASSPHRASE))
    print(f"unlock, snapshot + tail: {t_snap:.3f} s for {rows} rows (target <= 1 s, KDF excluded)")
    print(f"unlock, full replay of {ops} ops: {t_full:.3f} s ({ops / t_full:,.0f} ops/s)")
    print(f"KDF alone (Scrypt N=2**16, r=8, p=1): {kdf * 1000:.0f} ms")


def bench_bulk(tmp: Path, batches: int = 50, per_batch: int = 200) -> None:
    specs = [[{"start": f"2026-05-{1 + (b % 28):02d}T08:00",
               "end": f"2026-05-{1 + (b % 28):02d}T16:00",
               "location": "Zuhause", "instructions": "Frühstück, Einkauf"}
              for _ in range(per_batch)] for b in range(batches)]

    def plain() -> None:
        engine = create_engine(f"sqlite:///{tmp / 'plain.db'}")
        SQLModel.metadata.create_all(engine)
        with engine.connect() as c:
            c.exec_driver_sql("PRAGMA journal_mode=WAL")
            c.exec_driver_sql("PRAGMA synchronous=FULL")
        for batch in specs:
            with Session(engine) as session:
                for spec in batch:
                    session.add(Shift(id=uuid7(), status="planned", kind="work", **spec))
                session.commit()
        engine.dispose()

    store = Store.create(tmp / "enc", PASSPHRASE, kdf_n=2**12)
    sv = Services(store)
    sv.create_team("Bench", "Erika Muster", "NW")

    def encrypted() -> None:
        for batch in specs:
            sv.plan_shifts(batch)

    t_plain, _ = timed(plain)
    t_enc, _ = timed(encrypted)
    store.close()
    n = batches * per_batch
    print(f"bulk writes, {n} shifts in {batches} transactions: plain SQLModel {t_plain:.3f} s, "
          f"encrypted store {t_enc:.3f} s, ratio {t_enc / t_plain:.2f} (target <= 1.2), "
          f"load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--skip-unlock", action="store_true",
                        help="clock-in and bulk writes only (bench_unlock.py measures unlock)")
    args = parser.parse_args()
    print(f"bench_store {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_clock_in(Path(tmp))
        bench_bulk(Path(tmp))
        if not args.skip_unlock:
            bench_unlock(Path(tmp), args.years)


if __name__ == "__main__":
    main()
