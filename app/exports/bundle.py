"""The signed bundle: one JSON file that lets anyone verify a month offline.

Layout (``assistenzzeit.bundle/1``)::

    {"format": "assistenzzeit.bundle/1", "month": "2026-04", "version": 1, "status": …,
     "document": "<the canonical RFC 8785 JSON text that was signed>",
     "doc_hash": "<hex SHA-256 of document>",
     "signatures": [
       {"role": "assistant", "member_id", "name", "device_id", "public_key" (hex),
        "public_key_pem", "fingerprint", "signature" (base64), "signed_at",
        "signs": "SHA-256(document)"},
       {"role": "countersignature", "member_id", "name", "member_role", "on_behalf_of",
        "on_behalf_of_name", "device_id", …, "signs": "SHA-256(doc_hash ‖ assistant signature)"}],
     "membership": {"members": [{"id", "role", "name"}],
                    "devices": [{"id", "member_id", "sign_pub", "revoked"}]}}

``document`` is kept as text, not as a nested object, so its exact signed bytes survive any
JSON tool that rewrites the outer file. ``public_key_pem`` is the Ed25519 key as a
SubjectPublicKeyInfo PEM that ``openssl pkeyutl -verify -pubin`` reads directly (README).
The membership part repeats the device rows of the membership scope for the signers: which
device key belongs to which member, and the members' roles.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from app.store.crypto import fingerprint

FORMAT = "assistenzzeit.bundle/1"
# DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID
# 1.3.101.112 }, BIT STRING (33 bytes) }; the 32 raw key bytes follow. Pure encoding.
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
ASSISTANT_SIGNS = "SHA-256(document)"
COUNTER_SIGNS = "SHA-256(doc_hash ‖ assistant signature)"


def public_key_pem(raw: bytes) -> str:
    """An Ed25519 public key as PEM (SubjectPublicKeyInfo), as OpenSSL writes it."""
    der = base64.b64encode(ED25519_SPKI_PREFIX + raw).decode("ascii")
    return f"-----BEGIN PUBLIC KEY-----\n{der}\n-----END PUBLIC KEY-----\n"


def _signer(device: dict[str, Any]) -> dict[str, Any]:
    raw = bytes.fromhex(device.get("sign_pub", ""))
    return {"device_id": device.get("id", ""), "public_key": raw.hex(),
            "public_key_pem": public_key_pem(raw), "fingerprint": fingerprint(raw)}


def make_bundle(row: dict[str, Any], members: dict[str, dict[str, Any]],
                devices: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Bundle a signed timesheet row with the member and device rows it refers to."""
    def name(mid: str) -> str:
        return str(members.get(mid, {}).get("display_name", ""))

    signatures = [{"role": "assistant", "member_id": row["member_id"],
                   "name": name(row["member_id"]),
                   **_signer(devices.get(row["assistant_device"], {"id": row["assistant_device"]})),
                   "signature": row["assistant_sig"], "signed_at": row["signed_at"],
                   "signs": ASSISTANT_SIGNS}]
    if row.get("counter_sig"):
        counter = row["counter_member"]
        signatures.append({
            "role": "countersignature", "member_id": counter, "name": name(counter),
            "member_role": members.get(counter, {}).get("role", ""),
            "on_behalf_of": row.get("on_behalf_of", ""),
            "on_behalf_of_name": name(row.get("on_behalf_of", "")),
            **_signer(devices.get(row["counter_device"], {"id": row["counter_device"]})),
            "signature": row["counter_sig"], "signed_at": row["countersigned_at"],
            "signs": COUNTER_SIGNS})
    return {
        "format": FORMAT, "month": row["month"], "version": row["version"],
        "status": row["status"], "document": row["document"], "doc_hash": row["doc_hash"],
        "signatures": signatures,
        "membership": {
            "members": [{"id": m["id"], "role": m["role"], "name": m.get("display_name", "")}
                        for m in sorted(members.values(), key=lambda m: m["id"])],
            "devices": [{"id": d["id"], "member_id": d["member_id"], "sign_pub": d["sign_pub"],
                         "revoked": bool(d.get("revoked"))}
                        for d in sorted(devices.values(), key=lambda d: d["id"])]},
    }


def dumps(bundle: dict[str, Any]) -> bytes:
    """The bundle file's bytes: readable, stable key order, UTF-8."""
    return (json.dumps(bundle, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def file_name(bundle: dict[str, Any]) -> str:
    doc = json.loads(bundle["document"])
    who = doc["assistant"]["staff_number"] or doc["assistant"]["id"][:8]
    return f"stundennachweis-{bundle['month']}-{who}-v{bundle['version']}.bundle.json"


def write(bundle: dict[str, Any], out_dir: Path) -> Path:
    path = Path(out_dir) / file_name(bundle)
    path.write_bytes(dumps(bundle))
    return path
