"""``verify(path)``: check a signed bundle (JSON) or a PDF Stundennachweis that embeds one.

Checked, in this order, each failure named by ``Verdict.failed``:

1. ``file``          the file reads as a bundle (a PDF must embed ``*.bundle.json``);
2. ``canonical``     ``document`` is exactly the RFC 8785 form of itself;
3. ``doc_hash``      SHA-256 of ``document`` equals ``doc_hash``;
4. ``assistant.key`` / ``counter.key``: the signature's key is the key the membership part
   lists for that device;
5. ``assistant.signature`` / ``counter.signature``: Ed25519 over ``doc_hash`` and over
   ``SHA-256(doc_hash ‖ assistant signature)``;
6. ``assistant.binding`` / ``counter.binding``: the device belongs to the signer (or is a
   shared device of the employer or a proxy, which the app allows and the result says),
   the signer is the assistant the document names, the countersigner is employer or proxy,
   and a proxy's "on behalf of" names the employer.

Trust: the bundle states the membership itself. Whoever verifies should compare the
employer's key fingerprint with one obtained another way (the PDF, the pairing screen).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.timesheet import canonical, counter_message
from app.store.crypto import fingerprint, verify_signature


@dataclass
class Verdict:
    ok: bool
    failed: str = ""  # which check failed, e.g. "assistant.signature"
    reason: str = ""
    month: str = ""
    version: int = 0
    assistant: str = ""
    doc_hash: str = ""
    signers: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """What ``assistenzzeit verify`` prints."""
        if not self.ok:
            return f"UNGÜLTIG / INVALID: {self.failed}: {self.reason}"
        lines = [f"GÜLTIG / VALID: Stundennachweis {self.month} v{self.version} "
                 f"({self.assistant}), SHA-256 {self.doc_hash}"]
        for s in self.signers:
            extra = f" im Auftrag von / on behalf of {s['on_behalf_of']}" if s.get(
                "on_behalf_of") else ""
            shared = " (gemeinsames Gerät / shared device)" if s.get("shared_device") else ""
            lines.append(f"  {s['what']}: {s['name']} ({s['role']}){extra}, {s['signed_at']}, "
                         f"Schlüssel / key {s['fingerprint']}{shared}")
        return "\n".join(lines)


class _Fail(Exception):
    def __init__(self, check: str, reason: str) -> None:
        super().__init__(reason)
        self.check, self.reason = check, reason


def read_bundle(path: Path) -> dict[str, Any]:
    """The bundle in a JSON file, or the one embedded in a PDF."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise _Fail("file", f"cannot read {path}: {err.strerror}") from err
    if raw.startswith(b"%PDF"):
        raw = _from_pdf(raw)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _Fail("file", f"not a bundle: not valid JSON ({err})") from err
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith(
            "assistenzzeit.bundle/"):
        raise _Fail("file", "not an Assistenzzeit bundle (format missing)")
    return data


def _from_pdf(raw: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(raw)).attachments
    except (PdfReadError, ValueError, KeyError) as err:
        raise _Fail("file", f"the PDF cannot be read: {err}") from err
    for name, contents in attachments.items():
        if name.endswith(".bundle.json") and contents:
            return bytes(contents[0])
    raise _Fail("file", "the PDF embeds no signed bundle (*.bundle.json)")


def _b64(text: str, check: str) -> bytes:
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as err:
        raise _Fail(check, "not valid base64") from err


def _hex(text: str, check: str) -> bytes:
    try:
        return bytes.fromhex(str(text))
    except ValueError as err:
        raise _Fail(check, "not valid hex") from err


def _check_signature(sig: dict[str, Any], who: str, message: bytes,
                     members: dict[str, dict[str, Any]], devices: dict[str, dict[str, Any]],
                     ) -> dict[str, Any]:
    device = devices.get(sig.get("device_id", ""))
    if device is None:
        raise _Fail(f"{who}.binding", f"device {sig.get('device_id')} is not in the membership")
    listed = _hex(device.get("sign_pub", ""), f"{who}.key")
    if _hex(sig.get("public_key", ""), f"{who}.key") != listed:
        raise _Fail(f"{who}.key", "the public key differs from the device's key in the "
                                  "membership")
    if not verify_signature(listed, _b64(sig.get("signature", ""), f"{who}.signature"), message):
        raise _Fail(f"{who}.signature", "the Ed25519 signature does not verify")
    if device.get("revoked"):
        raise _Fail(f"{who}.binding", "the device was revoked")
    signer = members.get(sig.get("member_id", ""))
    if signer is None:
        raise _Fail(f"{who}.binding", "the signer is not a member")
    owner = members.get(device.get("member_id", ""), {})
    shared = device.get("member_id") != signer["id"]
    if shared and owner.get("role") not in ("employer", "proxy"):
        raise _Fail(f"{who}.binding", "the device belongs to another member")
    return {"member_id": signer["id"], "name": signer.get("name", ""),
            "role": signer.get("role", ""), "signed_at": sig.get("signed_at", ""),
            "fingerprint": fingerprint(listed), "device_id": device["id"],
            "shared_device": shared}


def check(bundle: dict[str, Any]) -> Verdict:
    """Verify a parsed bundle."""
    try:
        return _check(bundle)
    except _Fail as fail:
        return Verdict(False, fail.check, fail.reason)
    except (KeyError, TypeError, AttributeError) as err:
        return Verdict(False, "file", f"the bundle lacks a part: {err}")


def _check(bundle: dict[str, Any]) -> Verdict:
    text = bundle["document"]
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as err:
        raise _Fail("canonical", f"the document is not valid JSON ({err})") from err
    if canonical(document) != text.encode("utf-8"):
        raise _Fail("canonical", "the document is not in its RFC 8785 canonical form")
    doc_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if doc_hash != bundle["doc_hash"]:
        raise _Fail("doc_hash", "SHA-256 of the document differs from doc_hash")
    members = {m["id"]: m for m in bundle["membership"]["members"]}
    devices = {d["id"]: d for d in bundle["membership"]["devices"]}
    sigs = {s["role"]: s for s in bundle["signatures"]}
    if "assistant" not in sigs:
        raise _Fail("assistant.signature", "the assistant's signature is missing")
    first = _check_signature(sigs["assistant"], "assistant", bytes.fromhex(doc_hash),
                             members, devices)
    if first["member_id"] != document["assistant"]["id"] or first["role"] != "assistant":
        raise _Fail("assistant.binding", "the signer is not the assistant of the document")
    first["what"] = "unterschrieben / signed"
    signers = [first]
    counter = sigs.get("countersignature")
    if counter is not None:
        message = counter_message(doc_hash, _b64(sigs["assistant"]["signature"],
                                                 "assistant.signature"))
        second = _check_signature(counter, "counter", message, members, devices)
        if second["role"] not in ("employer", "proxy"):
            raise _Fail("counter.binding", "the countersigner is neither employer nor proxy")
        behalf = counter.get("on_behalf_of", "")
        if second["role"] == "proxy":
            employer = members.get(behalf, {})
            if employer.get("role") != "employer":
                raise _Fail("counter.binding", "a proxy's countersignature must name the "
                                               "employer it acts for")
            second["on_behalf_of"] = employer.get("name") or behalf
        second["what"] = "gegengezeichnet / countersigned"
        signers.append(second)
    return Verdict(True, month=document["month"], version=document["version"],
                   assistant=document["assistant"]["name"], doc_hash=doc_hash, signers=signers)


def verify(path: Path | str) -> Verdict:
    """Verify a bundle JSON file or a PDF with an embedded bundle."""
    try:
        bundle = read_bundle(Path(path))
    except _Fail as fail:
        return Verdict(False, fail.check, fail.reason)
    return check(bundle)
