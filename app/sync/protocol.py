"""The sync wire format, defined once (STYLE.md #5): imported by the client and the relay.

Envelopes travel as ``Envelope.to_json()`` from ``app/store/envelope.py`` (never redefined
here). Everything else on the wire is plain JSON; unknown fields are ignored, so an older
app keeps working against a newer relay.

Request signatures (every ``/v1/teams/{team}/…`` call except creating a team and joining):

    X-AZ-Device: <device id>      X-AZ-Time: <unix ms>      X-AZ-Nonce: <32 hex>
    X-AZ-Sig:    Ed25519(device key, signing_string(method, path?query, body, time, nonce))

Pull answers are binary pages (``app/sync/pull_page.py``): full envelopes, each with the
relay's per-team cursor, for the scopes the device may read, and *skips* (cursor, device, seq,
scope, prev_hash, hash) for the others, so a client can still check every device's hash
chain without seeing what it cannot decrypt.

Invite codes: ``base64url(JSON{v, relay, team, secret, fp})`` without padding; ``secret`` is
32 random bytes (base64url) whose SHA-256 is all the relay keeps; ``fp`` is the fingerprint of
the inviting device's signing key, checked by the joining device before it sends anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from app.errors import ProtocolError
from app.store.envelope import Envelope

API = "/v1"
HEADER_DEVICE = "X-AZ-Device"
HEADER_TIME = "X-AZ-Time"
HEADER_NONCE = "X-AZ-Nonce"
HEADER_SIG = "X-AZ-Sig"

REPLAY_WINDOW_MS = 5 * 60 * 1000  # a signed request is good for ±5 minutes
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_PAGE = 5000
DEFAULT_PAGE = 2000
MAX_PUSH_ENVELOPES = 1000
ADMIN_ROLES = frozenset({"employer", "proxy"})
ROLES = ("employer", "proxy", "assistant", "payroll")  # app.domain.model.ROLES, on the wire

# Refusals a person meets, as the relay words them in its JSON "error" (tests and older relays
# rely on that wording), and the catalog key a client shows instead, in the person's language.
REFUSALS = {
    "this device is not a member of this team": "error.relay.not_member",
    "this device has been revoked": "error.relay.revoked",
    "the request time is outside the replay window": "error.relay.clock",
    "unknown invite": "error.relay.invite_unknown",
    "this invite code has been used already": "error.relay.invite_used",
    "this invite code has expired": "error.relay.invite_expired",
    "this device is a member already": "error.relay.already_member",
    "the inviting device is no longer a member": "error.relay.inviter_gone",
    "too many requests from this device; slow down": "error.relay.busy",
    "too many requests; slow down": "error.relay.busy",
    "only the employer or a proxy may do this": "error.relay.admins_only",
    "only the employer or a proxy may change membership": "error.relay.admins_only",
    "no such calendar": "error.relay.no_calendar",
    "this calendar belongs to another device": "error.relay.calendar_other",
    "unknown team": "error.relay.unknown_team",
    "the team exists already": "error.relay.team_exists",
}


def signing_string(method: str, target: str, body: bytes, time_ms: int, nonce: str) -> bytes:
    """What a device signs for one request: method, path with query, body hash, time, nonce."""
    return "\n".join(("AZ1", method.upper(), target, hashlib.sha256(body).hexdigest(),
                      str(time_ms), nonce)).encode()


def scopes_for(role: str | None, member_id: str) -> set[str] | None:
    """Which scopes a member's devices may read; None means every scope of the team.

    assistant: the team scope and their own member scope; employer and proxy: everything;
    payroll: the employer scope and every member scope (``"member:*"``)."""
    if role in ADMIN_ROLES:
        return None
    if role == "assistant":
        return {"membership", "team", f"member:{member_id}"}
    if role == "payroll":
        return {"membership", "employer", "member:*"}
    return {"membership"}


def may_read(allowed: set[str] | None, scope: str) -> bool:
    if allowed is None or scope in allowed:
        return True
    return scope.startswith("member:") and "member:*" in allowed


# ---------------------------------------------------------------------------- envelopes
def envelope_to_wire(env: Envelope) -> dict[str, Any]:
    return env.to_json()


def envelope_from_wire(raw: Any) -> Envelope:
    try:
        return Envelope.from_json(raw)
    except (KeyError, TypeError, ValueError) as err:
        raise ProtocolError("error.wire.malformed_envelope", reason=str(err)) from err


ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")  # team and device ids (UUIDs in practice)
MAX_EPOCH, MAX_SEQ = 0xFFFF, 0xFFFF_FFFF  # what a pull page can carry (pull_page.py)


def check_header_ranges(env: Envelope) -> None:
    """What the relay can check of an envelope without keys: ids from a fixed alphabet and
    of bounded length, epoch and seq within what the wire format can carry."""
    for name, value in (("team", env.team), ("device", env.device)):
        if not ID_RE.fullmatch(value):
            raise ProtocolError("error.wire.bad_id", name=name)
    if not 0 <= env.epoch <= MAX_EPOCH:
        raise ProtocolError("error.wire.epoch_range", label=env.label, most=MAX_EPOCH)
    if not 1 <= env.seq <= MAX_SEQ:
        raise ProtocolError("error.wire.seq_range", label=env.label, most=MAX_SEQ)


# ---------------------------------------------------------------------------- invites
@dataclass(frozen=True, slots=True)
class InviteCode:
    relay: str
    team: str
    secret: bytes
    fingerprint: str

    @property
    def invite_id(self) -> str:
        return invite_id(self.secret)

    def encode(self) -> str:
        raw = json.dumps({"v": 1, "relay": self.relay, "team": self.team,
                          "secret": b64(self.secret), "fp": self.fingerprint},
                         separators=(",", ":"), sort_keys=True).encode()
        return b64(raw)

    @classmethod
    def decode(cls, code: str) -> InviteCode:
        try:
            raw = json.loads(unb64("".join(code.split())))
            return cls(str(raw["relay"]).rstrip("/"), str(raw["team"]), unb64(raw["secret"]),
                       str(raw["fp"]))
        except (KeyError, TypeError, ValueError) as err:
            raise ProtocolError("error.invite.damaged") from err


def invite_id(secret: bytes) -> str:
    """What the relay stores instead of the secret."""
    return hashlib.sha256(b"assistenzzeit-invite" + secret).hexdigest()


def join_signing_bytes(team: str, invite: str, device: str, sign_pub: str, dh_pub: str,
                       hello: str) -> bytes:
    """What a joining device signs: proves it holds the key it asks to be admitted with."""
    return json.dumps({"team": team, "invite": invite, "device": device, "sign_pub": sign_pub,
                       "dh_pub": dh_pub, "hello": hello}, sort_keys=True,
                      separators=(",", ":")).encode()


def key_grant_bytes(team: str, recipient: str, scope: str, epoch: int, wrapped: str) -> bytes:
    """What the granting (employer or proxy) device signs for one wrapped scope key."""
    return json.dumps({"team": team, "recipient": recipient, "scope": scope, "epoch": epoch,
                       "wrapped": wrapped}, sort_keys=True, separators=(",", ":")).encode()


def wrap_context(team: str, recipient: str, scope: str, epoch: int) -> bytes:
    return f"assistenzzeit/scope-key/{team}/{recipient}/{scope}/{epoch}".encode()


def hello_context(team: str, device: str) -> bytes:
    return f"assistenzzeit/join-hello/{team}/{device}".encode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
