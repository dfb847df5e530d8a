"""Founding a team on the relay, and what the relay reads from membership envelopes.

``POST /v1/teams`` is anonymous: anyone may send one, so the cheap checks come first and
nothing is inflated for a stranger. In this order (in a worker thread, off the event loop):

1. the body's fields (``relay_wire``): ``team``, ``sign_pub`` (the founding device's Ed25519
   key, hex) and ``genesis`` (an envelope);
2. the genesis header: this team, the membership scope, seq 1, chained to nothing;
3. the request signature and the genesis signature, both against ``sign_pub``;
4. only then the genesis body is inflated, at most ``bounded.MAX_INFLATED`` bytes, and it must
   introduce that very device, with that key, as a device of the team's employer.

Membership envelopes are the one plaintext the relay reads (ids, roles, public keys): every
value it takes from them is checked like a request field, so a hostile admin device cannot
make the database refuse (or the relay answer 5xx) either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.domain.ops import Op
from app.errors import AssistenzzeitError
from app.store import bounded
from app.store.envelope import GENESIS_HASH, Envelope, decode_ops, inflate_body, verify_envelope
from app.sync import protocol
from app.sync.auth import check_call, signed_call
from app.sync.relay_base import DeviceRow, MembershipChange, Refused
from app.sync.relay_wire import ID_RE, Fields, envelope, json_object

_KEY_RE = re.compile(r"[0-9a-f]{64}")  # a 32-byte public key, as membership ops carry it


def found_team(headers: Mapping[str, str], target: str,
               body: bytes) -> tuple[str, Envelope, list[MembershipChange], str]:
    """Steps 1–4: (team, genesis, its membership changes, the request nonce) — or Refused."""
    raw = Fields(json_object(body))
    team = raw.ident("team")
    public = raw.hex("sign_pub", (32,))
    env = envelope(raw.obj("genesis"))
    if env.team != team or env.scope != "membership" or env.seq != 1 \
            or env.prev_hash != GENESIS_HASH:
        raise Refused(400, "genesis: must be the founding device's first membership envelope "
                           "of this team")
    call = signed_call(headers)
    if call.device != env.device:
        raise Refused(401, "the request is not signed by the genesis device")
    founder = DeviceRow(team, env.device, "", public, "", False, None, True)
    check_call(founder, call, "POST", target, body)
    try:
        verify_envelope(env, public)
    except AssistenzzeitError as err:
        raise Refused(400, f"genesis: {err.text('en')}") from err
    changes = membership_changes(env)
    dev = next((c for c in changes if c.table == "device" and c.key == env.device), None)
    if dev is None or dev.values.get("sign_pub") != public.hex():
        raise Refused(400, "genesis: does not introduce its own device with sign_pub")
    owner = dev.values.get("member")
    if not any(c.table == "member" and c.key == owner and c.values.get("role") == "employer"
               for c in changes):
        raise Refused(400, "genesis: does not make the device's member the employer")
    return team, env, changes, call.nonce


def open_membership(env: Envelope) -> list[Op]:
    """The ops of a (plaintext) membership envelope, inflated in bounded memory."""
    try:
        return decode_ops(env, inflate_body(env.body))
    except bounded.TooLarge as err:
        raise Refused(400, f"{env.label}: its body {err.text('en')}; refused as damaged") from err
    except (ValueError, RecursionError, AssistenzzeitError) as err:
        raise Refused(400, f"{env.label}: cannot be decoded") from err


def membership_changes(env: Envelope) -> list[MembershipChange]:
    """What the relay learns from a membership envelope: ids, roles, keys — each checked."""
    out: list[MembershipChange] = []
    for op in open_membership(env):
        f = op.fields
        if op.entity not in ("member", "device"):
            continue
        if not ID_RE.fullmatch(op.entity_id):
            raise Refused(400, f"{env.label}: a {op.entity} id that is no id")
        values: dict[str, Any] = {}
        if op.entity == "member":
            if "role" in f:
                values["role"] = _checked(env, f["role"], "role", protocol.ROLES)
            if "active" in f or "deleted" in f:
                values["active"] = bool(f.get("active", True)) and not f.get("deleted")
        else:
            for k1, k2, pattern in (("member_id", "member", ID_RE),
                                    ("sign_pub", "sign_pub", _KEY_RE),
                                    ("dh_pub", "dh_pub", _KEY_RE)):
                if k1 in f:
                    values[k2] = _checked(env, f[k1], k1, pattern)
            if f.get("revoked") or f.get("deleted"):
                values["revoked"] = True
        out.append(MembershipChange(op.entity, op.entity_id, values))
    return out


def _checked(env: Envelope, value: Any, name: str,
             allowed: re.Pattern[str] | tuple[str, ...]) -> str:
    ok = isinstance(value, str) and (value in allowed if isinstance(allowed, tuple)
                                     else bool(allowed.fullmatch(value)))
    if not ok:
        raise Refused(400, f"{env.label}: {name} is malformed")
    return str(value)
