"""Helpers shared by the benchmarks: timing, percentiles, a team with a long history."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.store import timesheets
from app.store.services import Services
from app.store.store import Change, Store, uuid7

PASSPHRASE = "bench passphrase"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary_ms(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:.2f} ms, "
            f"p95 {percentile(values, 95) * 1000:.2f} ms, max {max(values) * 1000:.2f} ms")


def history_team(path: Path, years: int = 5, assistants: int = 10, kdf_n: int = 2**12,
                 sign_months: bool = False, start: date | None = None
                 ) -> tuple[Store, Services, int]:
    """A team with ``years`` of shifts and clocked entries (~30k ops per year for 10
    assistants: 1.6 shifts a day each, six ops per worked shift). Written one envelope per
    member and day, as clocking on the phone would group them after a sync. With
    ``sign_months``, as in real use, every assistant signs each past month and the employer
    countersigns it when the next month begins; the newest month stays open. The history
    ends this month unless it is told its ``start``."""
    store = Store.create(path, PASSPHRASE, kdf_n=kdf_n)
    store._conn.execute("PRAGMA synchronous=OFF")  # generation only; measured runs use FULL
    sv = Services(store)
    sv.create_team("Bench", "Erika Muster", "NW")
    members = [sv.add_member(f"Assistenz {i:02d}", "assistant") for i in range(assistants)]
    start = start or date.today().replace(day=1) - timedelta(days=365 * years)
    if sign_months:
        for member in members:
            sv.set_contract(member, start.isoformat(), "16.00", "part_time", "30")
    ops = 0
    for day_no in range(365 * years):
        day = start + timedelta(days=day_no)
        if sign_months and day.day == 1 and day_no:
            ops += _sign_month(sv, members, (day - timedelta(days=1)).isoformat()[:7])
        for i, member in enumerate(members):
            if (day_no + i) % 5 == 4:
                continue  # a day off
            d = day.isoformat()
            slots = [("07:00", "15:00"), ("15:00", "21:00")] if (day_no + i) % 3 else [
                ("07:00", "15:00")]
            shift_changes, entry_changes = [], []
            for begin, end in slots:
                sid, eid = uuid7(), uuid7()
                shift_changes.append(Change("shift.planned", "shift", sid, {
                    "start": f"{d}T{begin}", "end": f"{d}T{end}", "assignee_id": member,
                    "kind": "work", "instructions": "Aufstehen, Frühstück"}))
                entry_changes += [
                    Change("entry.clocked_in", "entry", eid, {"member_id": member,
                           "start": f"{d}T{begin}", "end": None, "shift_id": sid}),
                    Change("entry.break_started", "entry", eid, {"member_id": member,
                           "breaks": [{"start": f"{d}T{begin[:2]}:30", "end": None}]}),
                    Change("entry.break_ended", "entry", eid, {"member_id": member, "breaks": [
                        {"start": f"{d}T{begin[:2]}:30", "end": f"{d}T{begin[:2]}:59"}]}),
                    Change("entry.clocked_out", "entry", eid, {"member_id": member,
                           "end": f"{d}T{end}"}),
                    Change("handover.written", "handover", uuid7(), {
                        "author_id": member, "shift_id": sid, "written_at": f"{d}T{end}",
                        "text": "Alles ruhig, Medikamente gegeben."}),
                ]
            store.commit(shift_changes)
            with store.acting_as(member):
                store.commit(entry_changes)
            ops += len(shift_changes) + len(entry_changes)
    store._conn.execute("PRAGMA synchronous=FULL")
    return store, sv, ops


def _sign_month(sv: Services, members: list[str], month: str) -> int:
    """Each assistant signs ``month``, the employer countersigns; the ops written."""
    for member in members:
        timesheets.submit(sv, member, month)
        timesheets.approve(sv, member, month)
    return 2 * len(members)
