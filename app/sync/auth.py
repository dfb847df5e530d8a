"""Request authentication and rate limits for the relay.

A device signs every request (``protocol.signing_string``): method, path with query, SHA-256
of the body, a timestamp and a random nonce. The relay accepts it when

1. the device is a member of the team in the URL (else 403: a device of another team),
2. the device is not revoked and its member is active (403),
3. the timestamp lies within ``REPLAY_WINDOW_MS`` of the relay's clock (401),
4. the Ed25519 signature verifies against the key membership published (401),
5. the nonce was not used before by this device (401: a replay). Nonces live in the
   database, so the check holds across several relay processes.

Once the signature verifies, the nonce is spent whatever the answer. A push spends it in the
transaction that stores its envelopes (one commit instead of two, ``RelayStore.push``);
``spending_nonce`` spends it separately when the push is refused instead. The device row is
read from the database on every request, never cached, so a revocation holds at once.

Rate limits are a token bucket per device and per relay process: a misbehaving phone is
slowed down, not the team.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from app.errors import AssistenzzeitError
from app.store.crypto import verify_signature
from app.sync import protocol
from app.sync.relay_base import REPLAYED, DeviceRow, Refused, now_ms
from app.sync.relay_store import RelayStore
from app.sync.relay_wire import ID_RE

NONCE_RE = re.compile(r"[0-9a-f]{32}")
_DEVICE, _TIME = protocol.HEADER_DEVICE.lower(), protocol.HEADER_TIME.lower()
_NONCE, _SIG = protocol.HEADER_NONCE.lower(), protocol.HEADER_SIG.lower()


@dataclass(frozen=True, slots=True)
class SignedCall:
    """The signature headers of a request, well-formed but not yet checked."""

    device: str
    stamp: int
    nonce: str
    sig: str


def signed_call(headers: Mapping[str, str]) -> SignedCall:
    device, stamp = headers.get(_DEVICE, ""), headers.get(_TIME, "")
    nonce, sig = headers.get(_NONCE, ""), headers.get(_SIG, "")
    # isascii: "²".isdigit() is true, but int("²") fails; headers arrive as latin-1.
    if not (ID_RE.fullmatch(device) and stamp.isascii() and stamp.isdigit() and len(stamp) < 20
            and NONCE_RE.fullmatch(nonce) and sig):
        raise Refused(401, "missing or malformed signature headers")
    return SignedCall(device, int(stamp), nonce, sig)


def check_call(device: DeviceRow | None, call: SignedCall, method: str, target: str,
               body: bytes, *, allow_revoked: bool = False) -> DeviceRow:
    """Steps 1–4 for the device row the database holds now (``None``: not a member)."""
    if device is None:
        raise Refused(403, "this device is not a member of this team")
    if (device.revoked or not device.active) and not allow_revoked:
        raise Refused(403, "this device has been revoked")
    if abs(now_ms() - call.stamp) > protocol.REPLAY_WINDOW_MS:
        raise Refused(401, "the request time is outside the replay window")
    try:
        signature = bytes.fromhex(call.sig)
    except ValueError as err:
        raise Refused(401, "the signature is not hex") from err
    if not verify_signature(device.sign_pub, signature,
                            protocol.signing_string(method, target, body, call.stamp,
                                                    call.nonce)):
        raise Refused(401, "the request signature does not verify")
    return device


def authenticate(store: RelayStore, team: str, headers: Mapping[str, str], method: str,
                 target: str, body: bytes, *, allow_revoked: bool = False) -> DeviceRow:
    """All five steps; the nonce is spent here."""
    call = signed_call(headers)
    device = check_call(store.device(team, call.device), call, method, target, body,
                        allow_revoked=allow_revoked)
    if not store.use_nonce(call.device, call.nonce, call.stamp, protocol.REPLAY_WINDOW_MS):
        raise Refused(401, REPLAYED)
    return device


@contextmanager
def spending_nonce(store: RelayStore, call: SignedCall) -> Iterator[None]:
    """Around a verified request whose nonce is spent by its own transaction on success: if
    it is refused instead, spend the nonce now (a replay of it stays a replay, and says so)."""
    try:
        yield
    except AssistenzzeitError as err:
        if not (isinstance(err, Refused) and str(err) == REPLAYED) and not store.use_nonce(
                call.device, call.nonce, call.stamp, protocol.REPLAY_WINDOW_MS):
            raise Refused(401, REPLAYED) from err
        raise


class RateLimiter:
    """Token bucket per key: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._bucket_lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self._bucket_lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget idle devices rather than grow forever
                self._buckets.clear()
            return True
