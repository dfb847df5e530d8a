"""Request authentication and rate limits for the relay.

A device signs every request (``protocol.signing_string``): method, path with query, SHA-256
of the body, a timestamp and a random nonce. The relay accepts it when

1. the device is a member of the team in the URL (else 403: a device of another team),
2. the device is not revoked and its member is active (403),
3. the timestamp lies within ``REPLAY_WINDOW_MS`` of the relay's clock (401),
4. the Ed25519 signature verifies against the key membership published (401),
5. the nonce was not used before by this device (401: a replay). Nonces live in the
   database, so the check holds across several relay processes.

Rate limits are a token bucket per device and per relay process: a misbehaving phone is
slowed down, not the team.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping

from app.store.crypto import verify_signature
from app.sync import protocol
from app.sync.relay_store import DeviceRow, Refused, RelayStore, now_ms

NONCE_RE = re.compile(r"^[0-9a-f]{32}$")


def authenticate(store: RelayStore, team: str, headers: Mapping[str, str], method: str,
                 target: str, body: bytes, *, allow_revoked: bool = False) -> DeviceRow:
    device_id = headers.get(protocol.HEADER_DEVICE.lower(), "")
    stamp = headers.get(protocol.HEADER_TIME.lower(), "")
    nonce = headers.get(protocol.HEADER_NONCE.lower(), "")
    sig = headers.get(protocol.HEADER_SIG.lower(), "")
    if not (device_id and stamp.isdigit() and NONCE_RE.match(nonce) and sig):
        raise Refused(401, "missing or malformed signature headers")
    device = store.device(team, device_id)
    if device is None:
        raise Refused(403, "this device is not a member of this team")
    if (device.revoked or not device.active) and not allow_revoked:
        raise Refused(403, "this device has been revoked")
    ts = int(stamp)
    if abs(now_ms() - ts) > protocol.REPLAY_WINDOW_MS:
        raise Refused(401, "the request time is outside the replay window")
    try:
        signature = bytes.fromhex(sig)
    except ValueError as err:
        raise Refused(401, "the signature is not hex") from err
    if not verify_signature(device.sign_pub, signature,
                            protocol.signing_string(method, target, body, ts, nonce)):
        raise Refused(401, "the request signature does not verify")
    if not store.use_nonce(device_id, nonce, ts, protocol.REPLAY_WINDOW_MS):
        raise Refused(401, "replayed request (nonce seen before)")
    return device


class RateLimiter:
    """Token bucket per key: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget idle devices rather than grow forever
                self._buckets.clear()
            return True
