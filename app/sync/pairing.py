"""Pairing a new device: invite → join request → safety number → approval.

1. The employer (or a proxy) makes an invite for a member (new or existing, e.g. their own
   second device): a one-time secret whose hash goes to the relay together with the member id
   and role. The code (``protocol.InviteCode``) is shown as a QR code and as copyable text.
2. The new device decodes it, asks the relay for the inviting device's public keys and checks
   them against the fingerprint in the code (so a relay cannot pose as the employer), then
   sends its own public keys, its name wrapped for the inviting device only, and the secret.
   The relay takes the secret once: a second use is refused.
3. Both screens show the same short safety number (``crypto.safety_number`` of both signing
   keys). The employer compares it and approves: a signed ``device.added`` op, pushed, and the
   scope keys its role may read, wrapped to the new device (``membership.grant_keys``).

``join_with_code`` is what a join screen calls; ``pending_requests`` and ``approve`` are for
the employer's screen and ``assistenzzeit team …``.
"""

from __future__ import annotations

import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno

from app.errors import InputError, IntegrityError, ProtocolError
from app.store.crypto import fingerprint, safety_number, verify_signature, wrap_for
from app.store.services import Services
from app.store.store import Change, Store
from app.sync import protocol
from app.sync.client import RelayHttp, SyncClient
from app.sync.membership import grant_keys

INVITE_TTL_DAYS = 7


@dataclass(frozen=True)
class Invite:
    code: str
    member_id: str
    role: str

    def qr_svg(self) -> str:
        """The QR code as an SVG document (for a web view or a file)."""
        buf = io.BytesIO()
        segno.make(self.code, error="m").save(buf, kind="svg", scale=6, border=2,
                                               title="Einladungscode")
        return buf.getvalue().decode()

    def qr_png_data_uri(self) -> str:
        """The QR code as a PNG data URI (for ``ft.Image(src=…)``)."""
        return str(segno.make(self.code, error="m").png_data_uri(scale=6, border=2))


@dataclass(frozen=True)
class JoinRequest:
    device: str
    member_id: str
    role: str
    member_name: str
    said_name: str  # what the new device typed, readable only by the inviting device
    sign_pub: str
    dh_pub: str
    safety_number: str


@dataclass(frozen=True)
class Joined:
    store: Store
    member_id: str
    safety_number: str
    role: str


def create_invite(services: Services, client: SyncClient, role: str, name: str,
                  ttl_days: int = INVITE_TTL_DAYS) -> Invite:
    """Invite a person by name: an existing member (another device of theirs) or a new one."""
    store = services.store
    try:
        member = services.member_by_name(name)
        if member["role"] != role:
            raise InputError("error.invite.role", "role", name=name, role=member["role"],
                             wanted=role)
        member_id = str(member["id"])
    except LookupError:
        member_id = services.add_member(name, role)
    client.push()  # the relay learns the member's role before the device joins
    secret = os.urandom(32)
    code = protocol.InviteCode(client.relay.base, store.team_id, secret,
                               fingerprint(store.ring.signing.public))
    client.relay.call("POST", f"{protocol.API}/teams/{store.team_id}/invites", {
        "invite": code.invite_id, "member": member_id, "role": role,
        "expires_ms": int(time.time() * 1000) + ttl_days * 86400 * 1000})
    store.set_meta({f"invite/{code.invite_id}": json.dumps({"member": member_id,
                                                            "role": role})})
    return Invite(code.encode(), member_id, role)


def join_with_code(directory: Path, passphrase: str, code_text: str, name: str, *,
                   kdf_n: int = 2**16, http: Any = None) -> Joined:
    """The new device's side: create its store, check the inviter, send the join request."""
    code = protocol.InviteCode.decode(code_text)
    name = name.strip()
    if not name:
        raise InputError("error.name_required", "name")
    anon = RelayHttp(code.relay, http=http)
    try:
        return _join(directory, passphrase, code, name, kdf_n, anon)
    finally:
        anon.close()


def _join(directory: Path, passphrase: str, code: protocol.InviteCode, name: str, kdf_n: int,
          anon: RelayHttp) -> Joined:
    info = anon.call("GET", f"{protocol.API}/teams/{code.team}/invites/{code.invite_id}",
                     signed=False)
    inviter_pub = bytes.fromhex(str(info["sign_pub"]))
    if fingerprint(inviter_pub) != code.fingerprint:
        raise ProtocolError("error.invite.key_mismatch")
    store = Store.create(directory, passphrase, kdf_n=kdf_n)
    try:
        ring = store.ring
        hello = wrap_for(bytes.fromhex(str(info["dh_pub"])), name.encode(),
                         protocol.hello_context(code.team, store.device_id)).hex()
        sign_pub, dh_pub = ring.signing.public.hex(), ring.exchange.public.hex()
        sig = ring.signing.sign(protocol.join_signing_bytes(
            code.team, code.invite_id, store.device_id, sign_pub, dh_pub, hello)).hex()
        answer = anon.call("POST", f"{protocol.API}/teams/{code.team}/joins", {
            "secret": protocol.b64(code.secret), "device": store.device_id,
            "sign_pub": sign_pub, "dh_pub": dh_pub, "hello": hello, "sig": sig}, signed=False)
        store.set_identity(code.team, str(answer["member"]))
        store.set_meta({"relay": code.relay, "inviter": str(info["inviter"]),
                        # checked against the code: what a checkpoint must be signed with
                        "inviter_pub": inviter_pub.hex()})
    except BaseException:
        store.close()
        raise
    return Joined(store, str(answer["member"]), safety_number(ring.signing.public, inviter_pub),
                  str(info["role"]))


def pending_requests(services: Services, client: SyncClient) -> list[JoinRequest]:
    """Join requests waiting for approval, checked: signature, invite made by this team."""
    store = services.store
    rows = client.relay.call("GET", f"{protocol.API}/teams/{store.team_id}/joins")["joins"]
    out = []
    for r in rows:
        if not verify_signature(bytes.fromhex(r["sign_pub"]), bytes.fromhex(r["sig"]),
                                protocol.join_signing_bytes(store.team_id, r["invite"],
                                                            r["device"], r["sign_pub"],
                                                            r["dh_pub"], r["hello"])):
            continue  # forged on the way: never offered for approval
        local = store.meta(f"invite/{r['invite']}")
        member_id = json.loads(local)["member"] if local else str(r["member"])
        member = store.projection.get("member", member_id)
        if member is None:
            continue
        try:
            said = store.ring.exchange.unwrap(bytes.fromhex(r["hello"]), protocol.hello_context(
                store.team_id, r["device"])).decode()
        except (IntegrityError, ValueError):
            said = "?"  # invited from another admin device: only that one can read it
        out.append(JoinRequest(r["device"], member_id, str(member["role"]),
                               str(member.get("display_name", "")), said, r["sign_pub"],
                               r["dh_pub"], safety_number(store.ring.signing.public,
                                                          bytes.fromhex(r["sign_pub"]))))
    return out


def approve(services: Services, client: SyncClient, request: JoinRequest) -> int:
    """Admit the device: signed membership op, pushed, then its scope keys. Returns the
    number of keys handed over."""
    store = services.store
    n = sum(1 for d in store.projection.rows["device"].values()
            if d.get("member_id") == request.member_id)
    store.commit([Change("device.added", "device", request.device, {
        "member_id": request.member_id, "sign_pub": request.sign_pub,
        "dh_pub": request.dh_pub, "label": f"Gerät {n + 1}", "revoked": False})])
    client.push()
    return grant_keys(services, client, request.device, request.dh_pub, request.role,
                      request.member_id)


def join(directory: Path, code_text: str, passphrase: str, name: str = "",
         kdf_n: int | None = None) -> str:
    """For the join screen (``app/views/join.py``): create this device's store from an invite
    code and send the join request. Returns the safety number to show; the store is left
    closed (the screen goes on to unlock it). Syncing fetches the keys once approved."""
    from app import settings

    if not passphrase:
        raise InputError("error.passphrase.choose", "passphrase")
    joined = join_with_code(Path(directory), passphrase, code_text, name or "Neues Gerät",
                            kdf_n=kdf_n or int(settings.get("kdf_n")))
    joined.store.close()
    return joined.safety_number
