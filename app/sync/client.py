"""The sync client: push own envelopes, fetch wrapped keys, pull and ingest, resumably.

Every step is resumable after any interruption because each one records its progress in the
store's ``cursors`` table only after the relay (push) or the local store (pull) made the data
durable: ``push_seq`` (own envelopes the relay has), ``pull`` (relay cursor ingested) and
``last_synced`` (unix ms of the last complete round, what the app shows as "last synced").
Pushes are idempotent on the relay, so repeating one after a crash stores nothing twice.

``SyncClient.sync()`` runs one round; ``BackgroundSync`` repeats it with exponential backoff.
Transport: a real ``httpx.Client`` against a relay URL, or any httpx-compatible client (the
relay app in-process through ``fastapi.testclient.TestClient``).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from app.errors import RelayRefused as RelayRefused  # importable from here too
from app.errors import SyncError
from app.store import ingest
from app.store.crypto import SigningKey, verify_signature
from app.store.envelope import open_envelope
from app.store.store import Store
from app.sync import checkpoint, checkpoint_audit, heal, protocol, pull_page
from app.sync.page_opener import PageOpener

PUSH_BATCH = 500
FIRST_PAGE = 50
# Pull pages are binary ciphertext: gzip would only cost the relay CPU.
PULL_HEADERS = {"accept": pull_page.MEDIA_TYPE, "accept-encoding": "identity"}
PUSH_BYTES = 2 * 1024 * 1024


class RelayHttp:
    """Signed JSON requests with retries (connection errors, 5xx, 429) and backoff."""

    def __init__(self, base_url: str, device: str = "", signer: SigningKey | None = None,
                 http: Any = None, retries: int = 6, backoff: float = 0.2,
                 timeout: float = 30.0) -> None:
        self.base = base_url.rstrip("/")
        self.device, self.signer = device, signer
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout)
        self.retries, self.backoff = retries, backoff
        self.bytes_down = 0
        self.bytes_up = 0

    def call(self, method: str, path: str, body: Any = None, *, signed: bool = True,
             sign_as: tuple[str, SigningKey] | None = None) -> Any:
        """A JSON request; the JSON answer."""
        data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        resp = self.request(method, path, data, signed=signed, sign_as=sign_as)
        return resp.json() if resp.content else {}

    def request(self, method: str, path: str, data: bytes = b"", *, signed: bool = True,
                sign_as: tuple[str, SigningKey] | None = None,
                extra_headers: dict[str, str] | None = None) -> httpx.Response:
        """One request, retried on connection errors, 5xx and 429; refusals raise."""
        for attempt in range(self.retries + 1):
            headers = {"content-type": "application/json", **(extra_headers or {})}
            if signed or sign_as:
                device, signer = sign_as or (self.device, self.signer)
                assert signer is not None
                stamp, nonce = int(time.time() * 1000), os.urandom(16).hex()
                headers.update({
                    protocol.HEADER_DEVICE: device, protocol.HEADER_TIME: str(stamp),
                    protocol.HEADER_NONCE: nonce,
                    protocol.HEADER_SIG: signer.sign(protocol.signing_string(
                        method, path, data, stamp, nonce)).hex()})
            try:
                resp = self.http.request(method, self.base + path, content=data or None,
                                         headers=headers)
            except httpx.TransportError as err:
                if attempt == self.retries:
                    raise SyncError("error.relay.unreachable", url=self.base,
                                    reason=err) from err
                self._sleep(attempt)
                continue
            self.bytes_up += len(data)
            self.bytes_down += int(getattr(resp, "num_bytes_downloaded", 0) or len(resp.content))
            if resp.status_code == 429 or resp.status_code >= 500:
                if attempt == self.retries:
                    raise SyncError("error.relay.status", status=resp.status_code)
                self._sleep(attempt)
                continue
            if resp.status_code >= 400:
                try:
                    reason = str(resp.json().get("error", resp.text))
                except ValueError:
                    reason = resp.text
                raise RelayRefused(resp.status_code, reason,
                                   protocol.REFUSALS.get(reason, "error.relay.refused"))
            return resp
        raise SyncError("unreachable")

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def _sleep(self, attempt: int) -> None:
        time.sleep(min(5.0, self.backoff * 2**attempt) * (0.5 + random.random()))


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    ops: int = 0
    keys: int = 0
    cursor: int = 0
    waiting: str | None = None  # e.g. waiting for approval or for a key
    quarantined: int = 0  # envelopes of others that do not open, set aside (quarantine.py)
    checkpoint: str = ""  # what a checkpoint did this round (started, verified, refused)

    def summary(self) -> str:
        text = (f"{self.pushed} gesendet, {self.pulled} empfangen ({self.ops} Änderungen), "
                f"Stand {self.cursor}")
        if self.quarantined:
            text += f", {self.quarantined} beschädigt und zurückgestellt"
        if self.checkpoint:
            text += f"; {self.checkpoint}"
        return text + (f" — {self.waiting}" if self.waiting else "")


class SyncClient:
    def __init__(self, store: Store, relay_url: str | None = None, http: Any = None,
                 progress: Callable[[str, int], None] | None = None,
                 page: int = protocol.MAX_PAGE) -> None:

        url = relay_url or store.relay_url()
        if not url:
            raise SyncError("error.relay.none")
        self.store = store
        self.relay = RelayHttp(url, store.device_id, store.ring.signing, http)
        self.progress = progress or (lambda _stage, _n: None)
        self.page = page
        self.team = store.team_id
        # An employer's or proxy's device makes a checkpoint for new devices after this
        # many envelopes (``checkpoint.due``); 0 makes one every round.
        self.checkpoint_every = checkpoint.CHECKPOINT_EVERY

    def close(self) -> None:
        self.relay.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ steps
    def last_synced(self) -> datetime | None:
        ms = ingest.get_cursor(self.store, "last_synced", 0)
        return datetime.fromtimestamp(ms / 1000, UTC) if ms else None

    def register_team(self) -> bool:
        """Found the team on the relay with this device's genesis envelope (employer only)."""
        first = ingest.unpushed(self.store, 0, 1)
        if not first or first[0].scope != "membership" or first[0].seq != 1:
            return False
        if not any(op.entity == "device" and op.entity_id == self.store.device_id
                   for op in open_envelope(first[0], None)):
            ingest.set_cursor(self.store, "registered", 1)  # a joined device: not a founder
            return False
        try:
            self.relay.call("POST", f"{protocol.API}/teams",
                            {"team": self.team, "genesis": first[0].to_json(),
                             # The relay checks both signatures with it before it inflates.
                             "sign_pub": self.store.ring.signing.public.hex()})
        except RelayRefused as err:
            if err.status != 409:
                raise
        ingest.set_cursor(self.store, "registered", 1)
        return True

    def push(self) -> int:
        pushed = 0
        if not ingest.get_cursor(self.store, "registered", 0):
            self.register_team()
        # Never rewrite what a relay may have seen (a push whose answer was lost).
        offered = max(ingest.get_cursor(self.store, "push_seq", 0),
                      ingest.get_cursor(self.store, "sent_seq", 0), 1)
        ingest.batch_unpushed(self.store, offered)
        while True:
            after = ingest.get_cursor(self.store, "push_seq", 0)
            batch = ingest.unpushed(self.store, after, PUSH_BATCH)
            if not batch:
                return pushed
            size, cut = 0, 0
            for cut, env in enumerate(batch, 1):  # noqa: B007 - cut is used after the loop
                size += 2 * len(env.body) + 400
                if size > PUSH_BYTES:
                    break
            batch = batch[:max(1, cut)]
            if batch[-1].seq > ingest.get_cursor(self.store, "sent_seq", 0):
                ingest.set_cursor(self.store, "sent_seq", batch[-1].seq)
            self.relay.call("POST", f"{protocol.API}/teams/{self.team}/envelopes",
                            {"envelopes": [e.to_json() for e in batch]})
            ingest.set_cursor(self.store, "push_seq", batch[-1].seq)
            pushed += len(batch)
            self.progress("push", pushed)

    def fetch_keys(self) -> int:
        """Take the scope keys wrapped for this device, after checking who granted them."""
        grants = self.relay.call("GET", f"{protocol.API}/teams/{self.team}/keys")["grants"]
        store, ring = self.store, self.store.ring
        proj = store.projection
        fresh: list[tuple[str, int, bytes]] = []
        # Before membership has arrived, the device that invited this one (its key checked
        # against the invite code) is known: a new device can then start from a checkpoint.
        inviter = store.meta("inviter"), store.meta("inviter_pub")
        for g in grants:
            scope, epoch = str(g["scope"]), int(g["epoch"])
            if (scope, epoch) in ring.scopes:
                continue
            granter = proj.get("device", str(g["granter"]))
            if granter is None and inviter[1] and g["granter"] == inviter[0]:
                public = bytes.fromhex(inviter[1])
            elif not granter or granter.get("revoked") or proj.role_of(
                    str(granter["member_id"])) not in protocol.ADMIN_ROLES:
                continue  # not (yet) known as an employer's or proxy's device
            else:
                public = bytes.fromhex(granter["sign_pub"])
            if not verify_signature(public, bytes.fromhex(g["sig"]),
                                    protocol.key_grant_bytes(self.team, store.device_id, scope,
                                                             epoch, g["wrapped"])):
                raise SyncError("error.sync.false_key_signature", scope=scope)
            key = ring.exchange.unwrap(bytes.fromhex(g["wrapped"]), protocol.wrap_context(
                self.team, store.device_id, scope, epoch))
            fresh.append((scope, epoch, key))
        n = ingest.add_scope_keys(store, fresh)
        ingest.release_parked(store)  # envelopes that waited for these (or earlier) keys
        self.progress("keys", n)
        return n

    def _page(self, after: int, limit: int, opener: PageOpener | None = None
              ) -> pull_page.Page:
        # Runs in the prefetch thread, while the main thread folds the page before.
        resp = self.relay.request(
            "GET", f"{protocol.API}/teams/{self.team}/envelopes?after={after}&limit={limit}",
            extra_headers=PULL_HEADERS)
        if opener is not None and opener.ready:
            return opener.open(resp.content, self.team, after, dict(self.store.ring.scopes))
        return pull_page.decode_page(resp.content, self.team, after)

    def pull(self, report: SyncReport) -> None:
        """Pull pages until the relay has no more. The next page is fetched while this one
        is verified and folded (one request ahead), so the network and the CPU overlap; in
        a long pull a helper process also decrypts it (``page_opener``), on a second core."""
        opener = PageOpener()
        # The GC stays paused for the whole pull, not per page: every re-enable let it rescan
        # the growing projection (measured: a quarter of an initial sync). See ``settle``.
        with ThreadPoolExecutor(1, thread_name_prefix="az-pull") as pool, \
                ingest.gc_paused(), contextlib.closing(opener):
            self._pull_pages(report, pool, opener)
        ingest.settle(report.ops)

    def _pull_pages(self, report: SyncReport, pool: ThreadPoolExecutor,
                    opener: PageOpener) -> None:
        retried_gap = False
        parking = False  # set once the relay had no key to give: missing keys then park
        limit = min(self.page, FIRST_PAGE)
        ahead: tuple[int, Future[pull_page.Page]] | None = None
        while True:
            after = ingest.get_cursor(self.store, "pull", 0)
            if ahead is not None and ahead[0] == after:
                page = ahead[1].result()
            else:
                if ahead is not None:
                    ahead[1].exception()  # wait for it; its answer is not needed
                page = self._page(after, limit)
            ahead = None
            # Small first pages: folding starts at once, and the stop for the scope keys
            # that the first membership envelope causes throws little away.
            limit = min(self.page, limit * 4)
            if page.more:
                opener.start()  # more than a first page: it may be a long pull
                ahead = (page.next, pool.submit(self._page, page.next, limit, opener))
            result = ingest.ingest(self.store, page.items, park=parking)
            report.pulled += result.envelopes
            report.ops += result.ops
            report.quarantined += result.quarantined
            if result.parked:
                report.waiting = f"waiting for the key of {', '.join(sorted(result.parked))}"
            report.cursor = result.cursor
            self.progress("pull", report.pulled)
            if result.stopped and result.stopped.startswith("key:"):
                fetched = self.fetch_keys()
                report.keys += fetched
                if not fetched:
                    # Not granted (yet): what needs it waits in quarantine, the rest goes
                    # on, so one envelope of an unknown epoch cannot stop everyone's sync.
                    report.waiting = f"waiting for the key of {result.stopped[4:]}"
                    parking = True
                continue
            if result.stopped == "gap":
                if retried_gap:
                    raise SyncError("error.sync.gap")
                retried_gap = True
                continue
            if not page.more:
                break
        if ahead is not None:
            ahead[1].exception()

    def sync(self) -> SyncReport:
        """One full round: push, keys, pull, push what folding produced, record the time."""
        report = SyncReport()
        try:
            report.pushed = self.push()
        except RelayRefused as err:
            if err.status != 403 or "not a member" not in err.reason:
                raise
            report.waiting = "waiting for approval"  # a joined device not yet approved
        try:
            report.keys = self.fetch_keys()
            auditing = checkpoint_audit.pending(self)  # started in an earlier round
            if checkpoint.wanted(self):
                report.checkpoint = checkpoint.start(self)  # a new device: state, then tail
            self.pull(report)
            self.progress("usable", report.cursor)
            heal.heal(self.store, self.relay)  # damaged rows: fetch good copies again
            if auditing:
                report.checkpoint = checkpoint_audit.complete(self)
            elif checkpoint.due(self):
                report.checkpoint = checkpoint.make_due(self)
        except RelayRefused as err:
            if err.status == 403 and "not a member" in err.reason:
                report.waiting = "waiting for approval"
                return report
            raise
        report.pushed += self.push()
        ingest.set_cursor(self.store, "last_synced", int(time.time() * 1000))
        return report


class BackgroundSync:
    """Runs ``SyncClient.sync`` every ``interval`` seconds in a thread; after a failure it
    waits twice as long each time (up to ``max_backoff``). ``status`` is for the app."""

    def __init__(self, client: SyncClient, interval: float = 30.0,
                 max_backoff: float = 300.0) -> None:
        self.client, self.interval, self.max_backoff = client, interval, max_backoff
        self.status: dict[str, Any] = {"state": "idle", "last_synced": client.last_synced(),
                                       "error": None}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="az-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def sync_now(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            self.status["state"] = "syncing"
            try:
                report = self.client.sync()
                self.status.update(state="ok", error=None, report=report.summary(),
                                   last_synced=self.client.last_synced())
                delay = self.interval
            except SyncError as err:
                self.status.update(state="error", error=str(err))
                delay = min(self.max_backoff, delay * 2)
            self._wake.wait(delay)
            self._wake.clear()
