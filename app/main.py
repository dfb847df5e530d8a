"""Composition root of the app: one store holder per process, one shell per browser session.

``run_web`` serves the Flet UI in local web mode (the machine is the device); ``flet_main``
does the same for ``flet build`` (native apps), with the store in the user's data folder.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import flet as ft

from app.errors import AssistenzzeitError
from app.views import flet_patch
from app.views.shell import start_session
from app.views.state import StoreHolder


def make_main(store_dir: Path) -> tuple[StoreHolder, object]:
    flet_patch.install()
    holder = StoreHolder(Path(store_dir))
    holder.on_change(_background_sync(holder))

    def main(page: ft.Page) -> None:
        start_session(page, holder)

    return holder, main


def _background_sync(holder: StoreHolder) -> Callable[[str], None]:
    """Once the store is unlocked, sync it in the background (when it has a relay); stop on
    lock. One background sync per process: ``app.sync.device_sync`` keeps it."""
    from app.sync import device_sync

    def changed(what: str) -> None:
        if what == "unlocked" and holder.services is not None:
            # No usable relay: the app works offline; *Geräte & Sync* says why.
            with contextlib.suppress(AssistenzzeitError):
                device_sync.start_background(holder.services)
        elif what == "locked":
            device_sync.stop_background()

    return changed


def run_web(store_dir: Path, host: str, port: int, open_browser: bool) -> None:
    """Serve the app at http://host:port until interrupted; lock the store on exit."""
    if not open_browser:
        # Flet opens a browser tab unless it believes it runs as a web server.
        os.environ["FLET_FORCE_WEB_SERVER"] = "true"
    holder, main = make_main(store_dir)
    try:
        # no_cdn: CanvasKit and fonts come from the local flet-web package (offline).
        # SIGTERM and SIGINT end ``ft.run`` (Flet's own handlers); the store closes below.
        ft.run(main, view=ft.AppView.WEB_BROWSER, host=host, port=port, no_cdn=True)  # type: ignore[arg-type]
    finally:
        close_on_exit(holder)


def close_on_exit(holder: StoreHolder, grace: float = 5.0) -> None:
    """Close the store (snapshot written, keys forgotten), then make sure the process ends:
    once the store is closed nothing can be lost, and a session thread still busy in a
    handler must not keep a service manager's stop waiting."""
    from app.sync import device_sync

    device_sync.stop_background()
    holder.close()
    killer = threading.Timer(grace, os._exit, (0,))
    killer.daemon = True  # a normal exit does not wait for it
    killer.start()
