"""Opening pulled pages in a helper process, so that a long pull uses a second core.

An initial sync is bound by the client's CPU, and Python runs it on one core. During a long
pull a ``PageOpener`` hands each page's bytes to one helper process, which decodes the page
and decrypts and inflates every envelope it holds the scope key for, while this process
stores and folds the page before. The helper does not decode the ops: sending them back as
objects would cost this process about as much as decoding them here. Nothing else changes:
``ingest`` still checks team, chain, key and the signature of every run before it stores or
folds anything; it only skips decrypting again.

The helper is a child of this process, started fresh (``spawn``: no inherited locks or
threads). It receives the scope keys through the pipe to it, keeps them in memory only and
writes nothing. Where no such process can be started (the embedded Python of a phone app, a
frozen executable) or the helper fails, pages are opened here as before.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from app.errors import DamagedEnvelope
from app.store.envelope import PLAIN_SCOPES, decrypt_batch
from app.sync import pull_page

Keys = dict[tuple[str, int], bytes]


def helper_possible() -> bool:
    """Only a plain Python interpreter can start the helper. In a phone app, a frozen or a
    ``flet build`` executable, ``sys.executable`` is missing or the app itself, which must
    not be started a second time."""
    if getattr(sys, "frozen", False) or hasattr(sys, "getandroidapilevel"):
        return False
    if sys.platform in ("android", "ios", "emscripten", "wasi"):
        return False
    return Path(sys.executable or "").name.lower().startswith("python")


def open_page(data: bytes, team: str, after: int, keys: Keys) -> pull_page.Page:
    """Decode a pull page and decrypt its envelopes (runs in the helper). An envelope
    without its key is left closed: ingest then stops for the key or parks it. One that
    does not open (inflation is capped here too, ``decrypt_batch``) carries the reason,
    so ingest quarantines it without trying again, as for a page opened in-process."""
    page = pull_page.decode_page(data, team, after)
    for item in page.items:
        env = item.envelope
        if env is None:
            continue
        key = keys.get((env.scope, env.epoch))
        if key is None and env.scope not in PLAIN_SCOPES:
            continue
        try:
            item.batch = decrypt_batch(env, key)
        except DamagedEnvelope as err:
            item.damaged = err.text("en")  # the quarantine's reasons are English
    return page


class PageOpener:
    """One helper process for the pages of one pull. ``start`` it when a pull needs more
    than its first page; pages go to it once it is ``ready`` (starting takes a moment, and
    the pull does not wait for it); ``close`` ends it."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._started: Future[int] | None = None
        self._failed = not helper_possible()

    def start(self) -> None:
        if self._pool is not None or self._failed:
            return
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self._started = self._pool.submit(int)  # done once the process runs
        except (OSError, RuntimeError, NotImplementedError, ImportError):
            self._failed = True

    @property
    def ready(self) -> bool:
        started = self._started
        if self._failed or started is None or not started.done():
            return False
        if started.exception() is not None:
            self._failed = True
        return not self._failed

    def open(self, data: bytes, team: str, after: int, keys: Keys) -> pull_page.Page:
        """Decode and decrypt a page in the helper; in this process if the helper failed."""
        if self.ready:
            assert self._pool is not None
            try:
                return self._pool.submit(open_page, data, team, after, keys).result()
            except (BrokenProcessPool, OSError):
                self._failed = True  # e.g. the helper was killed: carry on without it
        return pull_page.decode_page(data, team, after)

    def close(self) -> None:
        if self._pool is not None:
            # Not waiting: a helper still starting up then ends on its own.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
