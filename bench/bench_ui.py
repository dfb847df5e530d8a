"""UI benchmark in real Chromium (prints figures; no assertions).

1. Page load → first interactive screen of the app (the *Wer bist du?* picker of the demo
   team, semantics on, a member button visible), against a minimal Flet page with one button
   measured the same way in the same run: the ratio (issue #4 target ≤ 1.5).
2. Opening the month roster with 300 shifts in that month: click *Monat* → the last shift's
   edit button is in the semantics tree.

    .venv/bin/python bench/bench_ui.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402 - after the path setup above
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSPHRASE,
    AppServer,
    base_env,
    enable_semantics,
    free_port,
)

MINIMAL = """
import sys, flet as ft
def main(page):
    page.add(ft.Text("Minimal"), ft.FilledButton("Los", height=48))
ft.run(main, view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=int(sys.argv[1]), no_cdn=True)
"""


def time_to_button(page: Page, url: str, name: str) -> float:
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    enable_semantics(page)
    page.get_by_role("button", name=name).first.wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - t0


def start_minimal(log_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (log_dir / "minimal.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", MINIMAL, str(port)], cwd=ROOT,
                            env=base_env(None), stdout=log, stderr=subprocess.STDOUT)
    log.close()
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    raise RuntimeError("minimal Flet app did not start")


def make_store(folder: Path, month_shifts: int) -> str:
    """Demo team plus extra shifts so that next month holds ``month_shifts`` shifts."""
    subprocess.run([sys.executable, "-m", "app.cli", "demo", "--store", str(folder)], cwd=ROOT,
                   env=base_env(PASSPHRASE), check=True, capture_output=True)
    script = f"""
import sys
from datetime import date, timedelta
from pathlib import Path
from app.store.services import Services
from app.store.store import Store
store = Store.open(Path({str(folder)!r})); store.unlock({PASSPHRASE!r})
s = Services(store)
today = date.today()
first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
nxt = (first + timedelta(days=32)).replace(day=1)
have = len(s.shifts_between(first.isoformat() + "T00:00", nxt.isoformat() + "T00:00"))
specs, i = [], 0
while have + len(specs) < {month_shifts}:
    d = first + timedelta(days=i % 28)
    h = 6 + (i // 28) % 14
    specs.append({{"start": f"{{d}}T{{h:02d}}:00", "end": f"{{d}}T{{h:02d}}:45"}})
    i += 1
s.plan_shifts(specs)
print(first.isoformat()[:7], have + len(specs))
store.close()
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=base_env(PASSPHRASE),
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmpdir = Path(tmp)
        info = make_store(tmpdir / "store", 300)
        print(f"store: demo team + shifts; next month {info.split()[0]}: {info.split()[1]} shifts")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        minimal, minimal_url = start_minimal(tmpdir)
        server = AppServer(tmpdir / "store", PASSPHRASE, None, tmpdir).start()
        try:
            # one warm-up each: the first load compiles CanvasKit in the browser
            for url, name in ((minimal_url, "Los"), (server.url, "Anna Becker")):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                time_to_button(ctx.new_page(), url, name)
                ctx.close()
            base, ours, month = [], [], []
            for _ in range(args.runs):
                for url, name, into in ((minimal_url, "Los", base),
                                        (server.url, "Anna Becker", ours)):
                    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = ctx.new_page()
                    into.append(time_to_button(page, url, name))
                    if into is ours:
                        page.get_by_role("button", name="Anna Becker").first.click()
                        page.get_by_role("button", name="Monat").first.wait_for()
                        page.get_by_role("button", name="Nächste Woche").first.wait_for()
                        # month view, then next month (the one with 300 shifts)
                        page.get_by_role("button", name="Monat").first.click()
                        page.get_by_role("button", name="Nächster Monat").first.wait_for()
                        t1 = time.perf_counter()
                        page.get_by_role("button", name="Nächster Monat").first.click()
                        page.get_by_role("button", name="Dienst planen", exact=True).wait_for(
                            state="attached")
                        page.wait_for_function(
                            "() => document.querySelectorAll('flt-semantics[role=button]')"
                            ".length > 300", timeout=120_000)
                        month.append(time.perf_counter() - t1)
                    ctx.close()
        finally:
            server.stop()
            minimal.terminate()
            minimal.wait(10)
            browser.close()
    med = statistics.median
    print(f"runs: {args.runs} (after one warm-up each), Chromium headless, 1280x800")
    print(f"minimal Flet page  -> first button:       median {med(base):.2f} s "
          f"(min {min(base):.2f}, max {max(base):.2f})")
    print(f"Assistenzzeit      -> 'Wer bist du?' ready: median {med(ours):.2f} s "
          f"(min {min(ours):.2f}, max {max(ours):.2f})")
    print(f"ratio app/minimal: {med(ours) / med(base):.2f} (target <= 1.5)")
    print(f"month roster, 300 shifts, click -> all rows in semantics tree: median "
          f"{med(month):.2f} s (min {min(month):.2f}, max {max(month):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
