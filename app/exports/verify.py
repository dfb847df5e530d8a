"""``verify(path)``: check a signed bundle (JSON) or a PDF Stundennachweis that embeds one.

Checked, in this order, each failure named by ``Verdict.failed``:

1. ``file``          the file reads as a bundle (a PDF must embed ``*.bundle.json``), at
   most ``MAX_FILE_BYTES``;
2. ``canonical``     ``document`` is exactly the RFC 8785 form of itself;
3. ``doc_hash``      SHA-256 of ``document`` equals ``doc_hash``;
4. ``assistant.key`` / ``counter.key``: the signature's key (hex and ``public_key_pem``
   alike) is the key the membership part lists for that device;
5. ``assistant.signature`` / ``counter.signature``: Ed25519 over ``doc_hash`` and over
   ``SHA-256(doc_hash ‖ assistant signature)``;
6. ``assistant.binding`` / ``counter.binding``: the device belongs to the signer (or is a
   shared device of the employer or a proxy, which the app allows and the result says),
   the signer is the assistant the document names, the countersigner is employer or proxy,
   and a proxy's "on behalf of" names the employer;
7. ``status``        a bundle that says *approved*, *exported* or *reopened* carries a
   countersignature (the status itself is not signed: it must not claim more than the
   signatures show);
8. ``page``          for a PDF: every page is exactly the page drawn from the signed bundle
   (``app.exports.pdf_check``), so figures painted over the page are found.

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
from app.errors import AssistenzzeitError, InputError, VerificationFailed
from app.exports.bundle import public_key_pem
from app.store.crypto import fingerprint, verify_signature

MAX_FILE_BYTES = 20 * 1024 * 1024  # a month's PDF is about 100 KB
COUNTERSIGNED_STATUSES = ("approved", "exported", "reopened")
STATUS_TEXT = {"submitted": "unterschrieben, Freigabe offen / signed, not yet countersigned",
               "approved": "freigegeben / approved", "exported": "freigegeben und exportiert "
               "/ approved and exported", "rejected": "zurückgewiesen / rejected",
               "reopened": "wieder geöffnet, ersetzt / reopened, superseded"}


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
    status: str = ""
    page_checked: bool = False
    error: AssistenzzeitError | None = None  # the failure, to say ``reason`` in a language

    def text(self, lang: str = "de") -> str:
        """What ``assistenzzeit verify`` prints; the reason of a failure in ``lang``."""
        if not self.ok:
            reason = self.error.text(lang) if self.error else self.reason
            return f"UNGÜLTIG / INVALID: {self.failed}: {reason}"
        lines = [f"GÜLTIG / VALID: Stundennachweis {self.month} v{self.version} "
                 f"({self.assistant}), SHA-256 {self.doc_hash}",
                 f"  Stand / status: {STATUS_TEXT.get(self.status, self.status)}"]
        if self.page_checked:
            lines.append("  Seiten / pages: zeigen genau die unterschriebenen Daten / show "
                         "exactly the signed data")
        for s in self.signers:
            extra = f" im Auftrag von / on behalf of {s['on_behalf_of']}" if s.get(
                "on_behalf_of") else ""
            shared = " (gemeinsames Gerät / shared device)" if s.get("shared_device") else ""
            lines.append(f"  {s['what']}: {s['name']} ({s['role']}){extra}, {s['signed_at']}, "
                         f"Schlüssel / key {s['fingerprint']}{shared}")
        return "\n".join(lines)


def _read_file(path: Path) -> bytes:
    try:
        with Path(path).open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise VerificationFailed("file", "error.verify.unreadable", path=path, reason=err.strerror) from err
    if len(raw) > MAX_FILE_BYTES:
        raise VerificationFailed("file", "error.verify.too_large", mb=MAX_FILE_BYTES // 2**20)
    return raw


def read_bundle(path: Path) -> dict[str, Any]:
    """The bundle in a JSON file, or the one embedded in a PDF."""
    return _parse(_read_file(path))


def _parse(raw: bytes) -> dict[str, Any]:
    if raw.startswith(b"%PDF"):
        raw = _from_pdf(raw)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise VerificationFailed("file", "error.verify.not_json", reason=err) from err
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith(
            "assistenzzeit.bundle/"):
        raise VerificationFailed("file", "error.verify.no_format")
    return data


def _from_pdf(raw: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(raw)).attachments
    except (PdfReadError, ValueError, KeyError) as err:
        raise VerificationFailed("file", "error.verify.pdf_unreadable", reason=err) from err
    for name, contents in attachments.items():
        if name.endswith(".bundle.json") and contents:
            return bytes(contents[0])
    raise VerificationFailed("file", "error.verify.no_bundle")


def _b64(text: str, check: str) -> bytes:
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as err:
        raise VerificationFailed(check, "error.verify.base64") from err


def _hex(text: str, check: str) -> bytes:
    try:
        return bytes.fromhex(str(text))
    except ValueError as err:
        raise VerificationFailed(check, "error.verify.hex") from err


def _check_signature(sig: dict[str, Any], who: str, message: bytes,
                     members: dict[str, dict[str, Any]], devices: dict[str, dict[str, Any]],
                     ) -> dict[str, Any]:
    device = devices.get(sig.get("device_id", ""))
    if device is None:
        raise VerificationFailed(f"{who}.binding", "error.verify.device_unknown",
                                 device=sig.get("device_id"))
    listed = _hex(device.get("sign_pub", ""), f"{who}.key")
    if _hex(sig.get("public_key", ""), f"{who}.key") != listed:
        raise VerificationFailed(f"{who}.key", "error.verify.key_differs")
    # OpenSSL users verify with the PEM (README): it must be the very same key.
    if "".join(str(sig.get("public_key_pem", "")).split()) != "".join(
            public_key_pem(listed).split()):
        raise VerificationFailed(f"{who}.key", "error.verify.pem_differs")
    if not verify_signature(listed, _b64(sig.get("signature", ""), f"{who}.signature"), message):
        raise VerificationFailed(f"{who}.signature", "error.verify.signature")
    if device.get("revoked"):
        raise VerificationFailed(f"{who}.binding", "error.verify.revoked")
    signer = members.get(sig.get("member_id", ""))
    if signer is None:
        raise VerificationFailed(f"{who}.binding", "error.verify.not_member")
    owner = members.get(device.get("member_id", ""), {})
    shared = device.get("member_id") != signer["id"]
    if shared and owner.get("role") not in ("employer", "proxy"):
        raise VerificationFailed(f"{who}.binding", "error.verify.other_member")
    return {"member_id": signer["id"], "name": signer.get("name", ""),
            "role": signer.get("role", ""), "signed_at": sig.get("signed_at", ""),
            "fingerprint": fingerprint(listed), "device_id": device["id"],
            "shared_device": shared}


def check(bundle: dict[str, Any]) -> Verdict:
    """Verify a parsed bundle."""
    try:
        return _check(bundle)
    except VerificationFailed as fail:
        return Verdict(False, fail.check, fail.reason, error=fail)
    except (KeyError, TypeError, AttributeError) as err:
        return Verdict(False, "file", f"the bundle lacks a part: {err}")


def _check(bundle: dict[str, Any]) -> Verdict:
    text = bundle["document"]
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as err:
        raise VerificationFailed("canonical", "error.verify.document_json", reason=err) from err
    if canonical(document) != text.encode("utf-8"):
        raise VerificationFailed("canonical", "error.verify.canonical")
    doc_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if doc_hash != bundle["doc_hash"]:
        raise VerificationFailed("doc_hash", "error.verify.doc_hash")
    members = {m["id"]: m for m in bundle["membership"]["members"]}
    devices = {d["id"]: d for d in bundle["membership"]["devices"]}
    sigs = {s["role"]: s for s in bundle["signatures"]}
    if "assistant" not in sigs:
        raise VerificationFailed("assistant.signature", "error.verify.no_signature")
    first = _check_signature(sigs["assistant"], "assistant", bytes.fromhex(doc_hash),
                             members, devices)
    if first["member_id"] != document["assistant"]["id"] or first["role"] != "assistant":
        raise VerificationFailed("assistant.binding", "error.verify.not_assistant")
    first["what"] = "unterschrieben / signed"
    signers = [first]
    counter = sigs.get("countersignature")
    if counter is not None:
        message = counter_message(doc_hash, _b64(sigs["assistant"]["signature"],
                                                 "assistant.signature"))
        second = _check_signature(counter, "counter", message, members, devices)
        if second["role"] not in ("employer", "proxy"):
            raise VerificationFailed("counter.binding", "error.verify.countersigner")
        behalf = counter.get("on_behalf_of", "")
        if second["role"] == "proxy":
            employer = members.get(behalf, {})
            if employer.get("role") != "employer":
                raise VerificationFailed("counter.binding", "error.verify.proxy_behalf")
            second["on_behalf_of"] = employer.get("name") or behalf
        second["what"] = "gegengezeichnet / countersigned"
        signers.append(second)
    status = bundle.get("status", "")
    if status not in STATUS_TEXT:
        raise VerificationFailed("status", "error.verify.status", status=status)
    if status in COUNTERSIGNED_STATUSES and counter is None:
        raise VerificationFailed("status", "error.verify.no_countersignature", status=status)
    return Verdict(True, month=document["month"], version=document["version"],
                   assistant=document["assistant"]["name"], doc_hash=doc_hash, signers=signers,
                   status=status)


def verify(path: Path | str) -> Verdict:
    """Verify a bundle JSON file, or a PDF: its embedded bundle and its pages."""
    from app.exports.pdf_check import page_problem

    try:
        raw = _read_file(Path(path))
        bundle = _parse(raw)
    except VerificationFailed as fail:
        return Verdict(False, fail.check, fail.reason, error=fail)
    verdict = check(bundle)
    if verdict.ok and raw.startswith(b"%PDF"):
        try:
            problem = page_problem(raw, bundle)
        except InputError as err:
            return Verdict(False, "page", err.text("en"), error=err)
        if problem:
            return Verdict(False, "page", problem)
        verdict.page_checked = True
    return verdict
