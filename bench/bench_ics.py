"""Benchmark: render a year's team feed for 10 assistants (issue #7) — time and size.

A real encrypted store gets a year of shifts (three shifts a day plus a standby night twice
a week, spread over 10 assistants, some moved and cancelled), then the team feed is built
the way ``assistenzzeit ics --team`` does it (revisions from the op history, rendering with
icalendar, VTIMEZONE). Prints the figures; asserts nothing about time.

    .venv/bin/python bench/bench_ics.py
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.calendar.feeds import build_feed
from app.calendar.render import render_feed
from app.calendar.service import CalendarService
from app.store.services import Services
from app.store.store import Store
from bench.common import summary_ms

ASSISTANTS = 10
FIRST = date(2026, 1, 1)
RUNS = 9


def build_store(directory: Path) -> tuple[Store, Services]:
    store = Store.create(directory, "bench", kdf_n=2**12)
    services = Services(store)
    services.create_team("Assistenzteam Anna", "Anna Becker", short_name="Anna")
    members = [services.add_member(f"Assistenz {i:02d}") for i in range(ASSISTANTS)]
    specs = []
    for n in range(365):
        day = FIRST + timedelta(days=n)
        for k, (start, end, plus) in enumerate([("07:00", "15:00", 0), ("15:00", "21:00", 0),
                                                ("21:00", "07:00", 1)]):
            if k == 2 and day.weekday() not in (1, 3):
                continue
            end_day = day + timedelta(days=plus)
            specs.append({"start": f"{day}T{start}", "end": f"{end_day}T{end}",
                          "kind": "standby" if k == 2 else "work",
                          "assignee_id": members[(n * 3 + k) % ASSISTANTS],
                          "location": "Wohnung Becker", "instructions": "Siehe Übergabe."})
    ids = services.plan_shifts(specs)
    for sid in ids[::20]:
        services.update_shift(sid, instructions="Geändert.")
    for sid in ids[5::50]:
        services.cancel_shift(sid)
    return store, services


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store, services = build_store(Path(tmp) / "store")
        setup = time.perf_counter() - t0
        today, end = FIRST + timedelta(days=30), FIRST + timedelta(days=364)
        times, body = [], b""
        for _ in range(RUNS):
            t0 = time.perf_counter()
            body = build_feed(services, "team", today=today, start=FIRST, end=end).body
            times.append(time.perf_counter() - t0)
        # The same shifts rendered without the store reads: how much is icalendar itself.
        shifts = CalendarService(services).with_revisions(
            services.shifts_between(f"{FIRST}T00:00", f"{end + timedelta(days=1)}T00:00",
                                    include_cancelled=True))
        render_times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            render_feed(shifts, tz="Europe/Berlin", calname="Team", short_name="Anna")
            render_times.append(time.perf_counter() - t0)
        events = body.count(b"BEGIN:VEVENT")
        store.close()
    print(f"setup (store + {events} shifts planned): {setup:.2f} s")
    print(f"team feed, {ASSISTANTS} assistants, 1 year: {events} events")
    print(f"build_feed (store reads, revisions, render): {summary_ms(times)} = "
          f"{statistics.median(times) / events * 1e6:.0f} µs/event")
    print(f"render_feed alone (icalendar): {summary_ms(render_times)}")
    print(f"size: {len(body) / 1024:.1f} KiB ({len(body) / events:.0f} B/event), "
          f"gzip {len(gzip.compress(body)) / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
