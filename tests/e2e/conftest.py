"""Browser-test fixtures: the real app as a subprocess, driven in Debian Chromium.

Reusable by every helper's browser tests (mark them ``@pytest.mark.browser``):

* ``app_server(store_dir=None, passphrase=PASSPHRASE, env=None)`` — fixture returning a
  factory: starts ``python -m app.cli app --store DIR --port FREE --no-browser`` and waits
  for the port. ``passphrase=None`` starts it *without* ``ASSISTENZZEIT_PASSPHRASE`` (the
  unlock screen then asks). ``server.restart()`` restarts the same store; every server is
  stopped at the end of the test.
* ``demo_store`` — a temp folder holding the demo team (made with ``assistenzzeit demo``).
* ``browser`` — one headless Chromium per test session (``/usr/bin/chromium``; never
  ``playwright install``).
* ``open_app(server, width=1280, height=800)`` — fixture returning a factory: a *new browser
  context* (a fresh Flet session), the app loaded and Flutter's semantics tree switched on.
* helpers: ``enable_semantics(page)``, ``button(page, name)``, ``click(page, name)``,
  ``fill(page, label, text)``, ``expect_text(page, text)``, ``pick_member(page, name)``,
  ``nav(page, label)`` (rail or phone menu), ``tool(page, name)`` (help, switch, lock),
  ``selected``/``toggle_on`` (choice buttons),
  ``tab_to``/``press_on`` (keyboard only), ``focused_name``. ``tests/e2e/audit.py`` has
  ``problems(page)`` (accessible names, 48 px targets) and ``shoot(page, name)``.

Flet facts behind the helpers (DESIGN.md): the semantics tree appears only after the hidden
``flt-semantics-placeholder`` is clicked; controls are found by role + accessible name;
inputs' DOM values are not re-synced from Python, so assert on visible text.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "test-passphrase-1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-gpu"]
TIMEOUT_MS = 30_000  # generous: the CI machine has two cores
expect.set_options(timeout=TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(passphrase: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTENZZEIT_")}
    env.update(ASSISTENZZEIT_KDF_N="4096", PYTHONUNBUFFERED="1", FLET_FORCE_WEB_SERVER="true")
    if passphrase is not None:
        env["ASSISTENZZEIT_PASSPHRASE"] = passphrase
    return env


class AppServer:
    """One ``assistenzzeit app`` subprocess on a free port."""

    def __init__(self, store_dir: Path, passphrase: str | None, env: dict[str, str] | None,
                 log_dir: Path) -> None:
        self.store_dir, self.passphrase, self.extra_env = store_dir, passphrase, env or {}
        self.log_dir = log_dir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.port = free_port()
        env = {**base_env(self.passphrase), **self.extra_env}
        log_path = self.log_dir / f"app-{self.port}.log"
        with log_path.open("wb") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "app", "--store", str(self.store_dir),
                 "--port", str(self.port), "--no-browser"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}: {self.log()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("app did not open its port within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> AppServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        path = self.log_dir / f"app-{self.port}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[Callable[..., AppServer]]:
    servers: list[AppServer] = []

    def start(store_dir: Path | None = None, passphrase: str | None = PASSPHRASE,
              env: dict[str, str] | None = None) -> AppServer:
        folder = store_dir or tmp_path / f"store{len(servers)}"
        folder.mkdir(parents=True, exist_ok=True)
        server = AppServer(folder, passphrase, env, tmp_path).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def demo_store(tmp_path: Path) -> Path:
    """A store folder with the demo team, made through the CLI like a user would."""
    folder = tmp_path / "demo"
    subprocess.run([sys.executable, "-m", "app.cli", "demo", "--store", str(folder)],
                   cwd=ROOT, env=base_env(PASSPHRASE), check=True, capture_output=True)
    return folder


def launch_browser() -> Iterator[Browser]:
    """One headless Debian Chromium. The ``browser`` fixture itself lives in tests/conftest.py
    so that browser tests in any folder share a single Playwright instance per session."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def enable_semantics(page: Page) -> None:
    """Switch Flutter's semantics tree on (it is off until the placeholder is activated)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        placeholder = page.locator("flt-semantics-placeholder")
        if placeholder.count():
            placeholder.dispatch_event("click")
        if page.locator("flt-semantics[role]").count() > 0:
            return
        page.wait_for_timeout(300)
    raise AssertionError("Flutter semantics did not switch on")


SEMANTICS_JS = """() => [...document.querySelectorAll('flt-semantics[role], input, textarea')]
  .map(el => {
    const r = el.getBoundingClientRect();
    const mark = el === document.activeElement ? "* " : "  ";
    return mark + (el.getAttribute("role") || el.tagName.toLowerCase()) + " "
      + JSON.stringify(el.getAttribute("aria-label") || el.textContent.trim().slice(0, 80))
      + ` @${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`;
  }).join("\\n")"""


def keep_evidence(pages: list[Page], name: str) -> Path:
    """After a failed test: a screenshot and the semantics tree (the focused node marked
    ``*``) of every page, in build/e2e-failures/<test> (CI keeps the folder)."""
    folder = ROOT / "build" / "e2e-failures" / re.sub(r"[^\w.-]+", "_", name)
    folder.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(pages):
        try:
            page.screenshot(path=str(folder / f"page{i}.png"))
            (folder / f"page{i}-semantics.txt").write_text(page.evaluate(SEMANTICS_JS))
        except PlaywrightError as err:  # a closed page has nothing to show
            (folder / f"page{i}-error.txt").write_text(str(err))
    return folder


@pytest.fixture
def open_app(browser: Browser, request: pytest.FixtureRequest,
             tmp_path: Path) -> Iterator[Callable[..., Page]]:
    contexts: list[Any] = []
    failed_before = request.session.testsfailed

    def open_(server: AppServer, width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.add_init_script(EDITING_JS)
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector("flt-semantics-placeholder", state="attached",
                               timeout=60_000)
        enable_semantics(page)
        return page

    yield open_
    if request.session.testsfailed > failed_before:  # this test's call has just failed
        folder = keep_evidence([p for c in contexts for p in c.pages], request.node.name)
        for log in tmp_path.glob("app-*.log"):
            (folder / log.name).write_bytes(log.read_bytes())
    for context in contexts:
        context.close()


def button(page: Page, name: str, exact: bool = False) -> Locator:
    """The button whose accessible name contains ``name`` (or equals it with exact)."""
    pattern = re.compile(("^" + re.escape(name) + "$") if exact else re.escape(name))
    return page.get_by_role("button", name=pattern).first


def steady(target: Locator, rounds: int = 30) -> None:
    """Scroll ``target`` into view and wait until it stops moving. Flutter answers the DOM
    scroll and a rebuilt screen a few frames later; a click aimed at the old position lands
    on whatever Flutter has drawn there by then (another button, another field). A node
    that a rebuild replaces is simply looked up again."""
    last = None
    for _ in range(rounds):
        try:
            target.scroll_into_view_if_needed(timeout=2_000)
            box = target.bounding_box(timeout=2_000)
        except PlaywrightError:
            box = None
        if box is not None and box == last:
            return
        last = box
        target.page.wait_for_timeout(120)


def scroll_top(page: Page) -> None:
    """Scroll the screen back to its top. The app keeps the scroll position after an action,
    and Flutter leaves nodes far out of view out of the semantics tree."""
    page.mouse.move(page.viewport_size["width"] // 2 if page.viewport_size else 300, 400)
    page.mouse.wheel(0, -100_000)
    page.wait_for_timeout(300)


def press(target: Locator) -> None:
    """Click ``target`` once it has stopped moving."""
    target.wait_for(state="visible")
    steady(target)
    target.click()


def click(page: Page, name: str, exact: bool = False) -> None:
    press(button(page, name, exact))


# Flutter's semantics <input> takes no text until Flutter's text editing attaches to it, a
# round trip through the framework after the DOM focus: keys typed before are lost, and on
# attaching Flutter overwrites the input with the value it knows. Attaching adds a "keydown"
# listener to the input (nothing else does), so this init script counts those listeners in
# the attribute data-editing, and the helpers type only once it is there.
EDITING_JS = """(() => {
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const count = (target, type, step) => {
    if (type !== "keydown" || !(target instanceof HTMLInputElement
                                || target instanceof HTMLTextAreaElement)) return;
    const n = Math.max(0, Number(target.getAttribute("data-editing") || 0) + step);
    if (n) target.setAttribute("data-editing", String(n));
    else target.removeAttribute("data-editing");
  };
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    count(this, type, 1);
    return add.call(this, type, ...rest);
  };
  EventTarget.prototype.removeEventListener = function (type, ...rest) {
    count(this, type, -1);
    return remove.call(this, type, ...rest);
  };
})()"""



def editing(box: Locator) -> None:
    """Wait until ``box`` has the focus and Flutter's text editing listens to it."""
    expect(box).to_be_focused()
    expect(box).to_have_attribute("data-editing", re.compile(r"^[1-9]"))


def type_keys(page: Page, value: str) -> None:
    """Replace the text of the focused field key by key, as a person does (select all, type),
    once Flutter edits it; the field then holds exactly ``value``. (The field is marked
    first: a field that is full can pass the focus on, like the time picker's hour.)"""
    expect(page.locator("input:focus, textarea:focus")).to_have_count(1)
    mark = page.evaluate("""() => {
      const mark = String(Math.random());
      document.activeElement.setAttribute("data-typing", mark);
      return mark;
    }""")
    box = page.locator(f'[data-typing="{mark}"]')
    editing(box)
    page.keyboard.press("Control+a")
    page.keyboard.type(value)
    expect(box).to_have_value(value)


def fill(page: Page | Locator, label: str, value: str) -> None:
    """Type into the text box named ``label`` (``page`` may be a part of the page)."""
    box = page.get_by_role("textbox", name=label).first
    press(box)
    editing(box)
    box.fill(value)
    expect(box).to_have_value(value)


def type_in(page: Page, label: str, value: str) -> None:
    """Like ``fill``, but key by key (key events, not one input event)."""
    box = page.get_by_role("textbox", name=label).first
    press(box)
    editing(box)
    type_keys(box.page, value)


def expect_text(page: Page, text: str, timeout: int = TIMEOUT_MS) -> None:
    expect(page.get_by_text(text).first).to_be_visible(timeout=timeout)


def selected(scope: Page | Locator, name: str) -> Locator:
    """The choice/toggle button ``name`` in its selected state (``widgets.choice``/``toggles``
    mark the chosen one with Semantics ``selected``, which Flutter renders as aria-current)."""
    return scope.locator('flt-semantics[aria-current="true"]').filter(
        has_text=re.compile("^" + re.escape(name) + "$"))


def toggle_on(scope: Page | Locator, name: str) -> None:
    """Press a choice/toggle button and wait until the rebuilt screen shows it selected.
    On a loaded machine a click that lands while the screen is being rebuilt can be lost;
    then it is pressed once more (only while it is still not selected)."""
    button = scope.get_by_role("button", name=name, exact=True)
    for _ in range(3):
        press(button)
        try:
            expect(selected(scope, name)).to_have_count(1, timeout=10_000)
            return
        except AssertionError:
            if selected(scope, name).count():
                return
    expect(selected(scope, name)).to_have_count(1)


FOCUSED_NAME_JS = """() => {
  const el = document.activeElement;
  // Only semantics nodes and inputs count: the flutter-view root's text is everything.
  if (!el || !(el.tagName === "FLT-SEMANTICS" || el.tagName === "INPUT"
               || el.tagName === "TEXTAREA")) return "";
  return (el.getAttribute("aria-label") || el.textContent || "").trim();
}"""


def focused_name(page: Page) -> str:
    """Accessible name (aria-label or text) of the element that has keyboard focus."""
    return str(page.evaluate(FOCUSED_NAME_JS))


def tab_to(page: Page, name: str, max_presses: int = 80) -> None:
    """Press Tab until the focused control's name contains ``name`` (keyboard-only use)."""
    seen = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        current = settled_focus(page)
        if name in current:
            return
        seen.append(current)
    raise AssertionError(f"Tab never reached {name!r}; focus went through {seen}")


def settled_focus(page: Page) -> str:
    """The focused control's name once it stops changing: Flutter moves the DOM focus a
    moment after the key event, so an early read names the control before (and Enter then
    lands on the next one)."""
    current = focused_name(page)
    for _ in range(20):
        page.wait_for_timeout(60)
        again = focused_name(page)
        if again == current:
            return current
        current = again
    return current


def press_on(page: Page, name: str, key: str = "Enter") -> None:
    """Keyboard only: Tab to the control named ``name`` and press ``key``."""
    tab_to(page, name)
    page.keyboard.press(key)


# A count badge (what waits under *Freigaben*) reads before the name: "2 Menü".
MENU = re.compile(r"^(\d+ )?(Menü|Menu)$")


def nav(page: Page, label: str) -> None:
    """Go to a main screen: the navigation rail at desktop width ("<label> Tab n of m"), the
    *Menü* dialog at phone width."""
    menu = page.get_by_role("button", name=MENU)
    tab = page.get_by_role("button", name=re.compile(re.escape(label) + " Tab"))
    # Wait until the screen shows one of the two (a screen may still be building).
    expect(menu.or_(tab).first).to_be_visible()
    if menu.count():
        press(menu.first)
        press(page.get_by_role("button", name=re.compile(rf"^(\d+ )?{re.escape(label)}$")).first)
    else:
        press(tab.first)


def tool(page: Page, name: str) -> None:
    """*Person wechseln* or *Sperren* (and *Hilfe*): in the header at desktop width, in the
    *Menü* at phone width."""
    target = button(page, name)
    if page.get_by_role("button", name=MENU).count() and not target.count():
        # A dialog that is closing (help, the menu) must finish its exit animation first:
        # a click during it lands on its barrier.
        page.wait_for_timeout(1500)
        click(page, "Menü", exact=True)
    press(target)


def pick_member(page: Page, name: str) -> None:
    """On *Wer sind Sie?* choose a member by display name."""
    expect_text(page, "Wer sind Sie?")
    click(page, name)


def prove_with_passphrase(page: Page, name: str, passphrase: str = PASSPHRASE) -> None:
    """After choosing a person with more rights (no PIN yet on this device): type the
    passphrase, switch, and go on without setting a PIN."""
    expect_text(page, f"Wechseln zu {name}")
    fill(page, "Passphrase", passphrase)
    click(page, f"Zu {name} wechseln")
    click(page, "Ohne PIN weiter")
