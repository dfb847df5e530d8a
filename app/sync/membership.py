"""Membership on the employer's side: who gets which scope keys, and revocation.

Roles decide the scope keys a device receives (``protocol.scopes_for``): an assistant the
team scope and their own member scope; employer and proxy everything; payroll the employer
scope and every member scope. Every epoch of a scope is handed over, so a new device can
read the history too. Keys travel wrapped to the device's X25519 key
(``app.store.crypto.wrap_for``) and signed by the granting device, so neither the relay nor
anyone else can read or forge them.

Revoking a device (the "lost phone") or a member writes the signed membership ops, rotates the
keys of every scope that device or member could read (new epoch, wrapped for the devices that
remain) and pushes at once: from then on the relay refuses the revoked device and new data is
sealed under keys it never had.
"""

from __future__ import annotations

from typing import Any

from app.errors import InputError, NotFound
from app.store import ingest
from app.store.crypto import wrap_for
from app.store.services import Services
from app.store.store import Change
from app.sync import protocol
from app.sync.client import SyncClient


def readable_scopes(services: Services, role: str, member_id: str) -> list[tuple[str, int]]:
    """The (scope, epoch) keys this device holds that a member with ``role`` may read."""
    allowed = protocol.scopes_for(role, member_id)
    return sorted((s, e) for (s, e) in services.store.ring.scopes
                  if s != "membership" and protocol.may_read(allowed, s))


def grant_keys(services: Services, client: SyncClient, device_id: str, dh_pub: str,
               role: str, member_id: str, only: list[tuple[str, int]] | None = None) -> int:
    """Wrap the scope keys ``role`` may read for one device and hand them to the relay."""
    store = services.store
    ring, team = store.ring, store.team_id
    grants: list[dict[str, Any]] = []
    for scope, epoch in only if only is not None else readable_scopes(services, role, member_id):
        key = ring.scopes[(scope, epoch)]
        wrapped = wrap_for(bytes.fromhex(dh_pub), key,
                           protocol.wrap_context(team, device_id, scope, epoch)).hex()
        sig = ring.signing.sign(protocol.key_grant_bytes(team, device_id, scope, epoch, wrapped))
        grants.append({"recipient": device_id, "scope": scope, "epoch": epoch,
                       "wrapped": wrapped, "sig": sig.hex()})
    if grants:
        client.relay.call("POST", f"{protocol.API}/teams/{team}/keys", {"grants": grants})
    return len(grants)


def live_devices(services: Services) -> list[dict[str, Any]]:
    """Devices of active members that are not revoked, with their member's role."""
    proj = services.store.projection
    out = []
    for dev in proj.rows["device"].values():
        role = proj.role_of(str(dev.get("member_id")))
        if role and not dev.get("revoked") and not dev.get("deleted"):
            out.append({**dev, "role": role})
    return out


def revoke_device(services: Services, client: SyncClient, device_id: str) -> list[str]:
    """The lost phone: revoke one device and rotate the keys it could read."""
    proj = services.store.projection
    dev = proj.get("device", device_id)
    if dev is None:
        raise NotFound("error.device.unknown", id=device_id)
    if device_id == services.store.device_id:
        raise InputError("error.device.self", "device")
    role = proj.role_of(str(dev["member_id"])) or "assistant"
    scopes = {s for s, _ in readable_scopes(services, role, str(dev["member_id"]))}
    services.store.commit([Change("device.revoked", "device", device_id, {"revoked": True})])
    return _rotate(services, client, scopes)


def revoke_member(services: Services, client: SyncClient, member_id: str) -> list[str]:
    """A member leaves the team: deactivate them, revoke their devices, rotate their keys."""
    proj = services.store.projection
    row = proj.get("member", member_id)
    if row is None:
        raise NotFound("error.member.unknown_id", id=member_id)
    if member_id == services.store.member_id:
        raise InputError("error.member.self", "member")
    scopes = {s for s, _ in readable_scopes(services, str(row["role"]), member_id)}
    changes = [Change("device.revoked", "device", d["id"], {"revoked": True})
               for d in proj.rows["device"].values()
               if d.get("member_id") == member_id and not d.get("revoked")]
    changes.append(Change("member.updated", "member", member_id, {"active": False}))
    services.store.commit(changes)
    return _rotate(services, client, scopes)


def _rotate(services: Services, client: SyncClient, scopes: set[str]) -> list[str]:
    """New epochs for ``scopes``; push the revocation first so the relay refuses at once."""
    store = services.store
    client.push()
    fresh = {scope: ingest.rotate_scope_key(store, scope)[0] for scope in sorted(scopes)}
    for dev in live_devices(services):
        if dev["id"] == store.device_id:
            continue
        allowed = protocol.scopes_for(dev["role"], str(dev["member_id"]))
        only = [(s, e) for s, e in fresh.items() if protocol.may_read(allowed, s)]
        if only:
            grant_keys(services, client, dev["id"], str(dev["dh_pub"]), dev["role"],
                       str(dev["member_id"]), only)
    return sorted(fresh)
