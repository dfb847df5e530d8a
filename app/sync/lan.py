"""LAN mode: the employer's own machine is the relay, so a team in one flat syncs without any
internet server.

``LanRelay(store_dir).start()`` runs the relay app in-process (uvicorn in a daemon thread) on
the machine's LAN address with a SQLite file beside the store (``relay.db``); ``url`` is what
goes into invite codes (``pairing.create_invite`` with a ``SyncClient`` on that URL), so the
QR code carries the LAN address. Everything else — signatures, keys, pairing — is identical
to an internet relay: the relay file holds no plaintext either.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from app.errors import SyncError
from app.sync.relay_app import create_app

RELAY_FILE = "relay.db"
DEFAULT_PORT = 8787


def lan_address() -> str:
    """The address other devices in the flat reach this machine at. A UDP "connect" sends
    nothing; it only makes the OS pick the outgoing interface. Loopback when offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = str(s.getsockname()[0])
        except OSError:
            address = "127.0.0.1"
    return address if address != "0.0.0.0" else "127.0.0.1"


class LanRelay:
    def __init__(self, store_dir: Path, host: str | None = None, port: int = DEFAULT_PORT,
                 bind: str | None = None) -> None:
        self.host = host or lan_address()
        self.bind = bind or self.host
        self.port = port
        self.db = Path(store_dir) / RELAY_FILE
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> LanRelay:
        if self.port == 0:
            with socket.socket() as s:
                s.bind((self.bind, 0))
                self.port = int(s.getsockname()[1])
        config = uvicorn.Config(create_app(str(self.db)), host=self.bind, port=self.port,
                                log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="az-lan-relay",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise SyncError("error.lan.start", url=self.url)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
