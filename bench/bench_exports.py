"""Month close plus every export for 10 assistants; print the times.

Targets: total (close + every export) at most 2 s; PDF Stundennachweis at most 150 ms per
assistant. "Month close" is: build the document, the assistant signs, the employer
countersigns (submit + approve), for each assistant. The store is a real encrypted store
(``synchronous=FULL``) with two Teilbudgets and a month of shifts, entries and one vacation.
Wall and CPU time are both printed: on a shared, busy machine the wall time varies with
the load, the CPU time of this process much less. The cut-down PDF font is made once per
machine and cached (``pdf_layout.font_file``); that first run is not timed.
Run with ``make bench`` or ``python bench/bench_exports.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.exports import pdf_layout, pdf_stundennachweis
from app.exports.run import FORMATS, export_month, sheets
from app.store import timesheets
from app.store.services import Services
from app.store.store import Store

MONTH = "2026-04"
ASSISTANTS = 10
# (start hour, hours, kind, break after hours)
PATTERNS = [(7, 8, "work", 4), (15, 6, "work", None), (21, 10, "standby", None),
            (9, 4, "work", None)]


def build(path: Path) -> tuple[Store, Services, list[str]]:
    store = Store.create(path, "bench passphrase", kdf_n=2**12)
    s = Services(store)
    s.create_team("Assistenzteam Bench", "Anna Becker", "NW")
    funder = s.add_funder("Landschaftsverband Rheinland")
    budgets = [s.add_budget(funder, "Eingliederungshilfe", "9500.00", "2026-01-01",
                            cost_center="EGH"),
               s.add_budget(funder, "Pflege", "1800.00", "2026-01-01", cost_center="PFL")]
    ids = []
    for i in range(ASSISTANTS):
        employment = "minijob" if i % 4 == 3 else "part_time"
        mid = s.add_member(f"Assistenz {i:02d}", "assistant", staff_number=f"{1001 + i}")
        s.set_contract(mid, "2025-01-01", "14.00" if employment == "minijob" else "16.50",
                       employment, "20", default_budget_id=budgets[0])
        ids.append(mid)
    specs = []
    day = date(2026, 4, 1)
    while day.month == 4:
        for i, mid in enumerate(ids):
            if (day.day + i) % 2:
                continue
            start_h, hours, kind, brk = PATTERNS[(day.day + i) % len(PATTERNS)]
            start = f"{day.isoformat()}T{start_h:02d}:00"
            end_day = day + timedelta(days=1) if start_h + hours >= 24 else day
            end = f"{end_day.isoformat()}T{(start_h + hours) % 24:02d}:00"
            specs.append((mid, start, end, kind, brk, budgets[(day.day + i) % 2]))
        day += timedelta(days=1)
    shift_ids = s.plan_shifts([{"start": a, "end": b, "kind": k, "assignee_id": m,
                                "budget_id": bud} for m, a, b, k, _, bud in specs])
    for (mid, start, end, kind, brk, _), sid in zip(specs, shift_ids, strict=True):
        breaks = []
        if brk:
            h = int(start[11:13]) + brk
            breaks = [{"start": f"{start[:11]}{h:02d}:00", "end": f"{start[:11]}{h:02d}:30"}]
        s.add_entry(mid, start, end, "bench", breaks=breaks, kind=kind, shift_id=sid)
    s.record_absence(ids[0], "vacation", "2026-04-20", "2026-04-24")
    return store, s, ids


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store, s, ids = build(Path(tmp) / "store")
        a, _ = _clocks()
        pdf_layout.font_file("DejaVuSans.ttf")  # once per machine (cached), not timed
        font_ms = (_clocks()[0] - a) * 1000
        w0, c0 = _clocks()
        for mid in ids:
            timesheets.submit(s, mid, MONTH)
            timesheets.approve(s, mid, MONTH)
        w1, c1 = _clocks()
        result = export_month(s, MONTH, FORMATS, Path(tmp) / "out")
        w2, c2 = _clocks()
        per_format = {}
        for fmt in FORMATS:
            a, _ = _clocks()
            export_month(s, MONTH, [fmt], Path(tmp) / f"out-{fmt}")
            per_format[fmt] = _clocks()[0] - a
        # PDF alone, per assistant, from the prepared sheets (what the export loop does).
        pdf_wall, pdf_cpu = [], []
        for sheet in sheets(s, MONTH):
            a, b = _clocks()
            pdf_stundennachweis.render(sheet, "Assistenzteam Bench")
            c, d = _clocks()
            pdf_wall.append(c - a)
            pdf_cpu.append(d - b)
        store.close()
    total_wall, total_cpu = w2 - w0, c2 - c0
    print(f"assistants: {ASSISTANTS}, files written: {len(result.paths)}, "
          f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"font preparation (once per machine, 0 when cached): {font_ms:.0f} ms")
    print(f"month close (document, sign, countersign) x{ASSISTANTS}: wall {(w1 - w0) * 1000:.0f} ms,"
          f" CPU {(c1 - c0) * 1000:.0f} ms")
    print(f"every export: wall {(w2 - w1) * 1000:.0f} ms, CPU {(c2 - c1) * 1000:.0f} ms  ("
          + ", ".join(f"{k} {v * 1000:.0f}" for k, v in per_format.items()) + " ms wall)")
    print(f"total: wall {total_wall:.2f} s, CPU {total_cpu:.2f} s (target <= 2 s) -> "
          f"{'OK' if total_wall <= 2 else 'OVER'}")
    print(f"PDF per assistant: wall median {statistics.median(pdf_wall) * 1000:.0f} ms, max "
          f"{max(pdf_wall) * 1000:.0f} ms; CPU median {statistics.median(pdf_cpu) * 1000:.0f} ms"
          f" (target <= 150 ms) -> {'OK' if max(pdf_wall) <= 0.150 else 'OVER'}")


if __name__ == "__main__":
    main()
