"""Flipping one byte of a bundle makes ``verify`` fail and name what failed."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from app.exports import bundle as bundle_file
from app.exports.verify import verify
from app.store import timesheets


@pytest.fixture
def signed(case_store, tmp_path: Path) -> Path:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04", by=cs.proxy)
    return bundle_file.write(timesheets.bundle(cs.services, deniz, "2026-04"), tmp_path)


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_accepts_the_untouched_bundle(signed: Path) -> None:
    verdict = verify(signed)
    assert verdict.ok
    assert verdict.month == "2026-04" and verdict.assistant == "Deniz Kaya"
    assert verdict.signers[1]["on_behalf_of"] == "Anna Becker"
    assert "Frank Huber (proxy) im Auftrag von / on behalf of Anna Becker" in verdict.text()


def test_flipped_byte_in_document_figure_fails_doc_hash(signed: Path) -> None:
    raw = signed.read_bytes()
    _flip(signed, raw.index(b'\\"gross\\":\\"658.00') + 12)  # 658.00 -> 758.00 / 648.00
    verdict = verify(signed)
    assert not verdict.ok
    assert verdict.failed == "doc_hash"
    assert "SHA-256" in verdict.reason


def test_flipped_byte_in_assistant_signature_fails_signature(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    sig = bytearray(base64.b64decode(bundle["signatures"][0]["signature"]))
    sig[10] ^= 0x01
    bundle["signatures"][0]["signature"] = base64.b64encode(bytes(sig)).decode()
    signed.write_bytes(bundle_file.dumps(bundle))
    verdict = verify(signed)
    assert (verdict.ok, verdict.failed) == (False, "assistant.signature")


def test_flipped_byte_in_counter_signature_fails_counter(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    sig = bytearray(base64.b64decode(bundle["signatures"][1]["signature"]))
    sig[0] ^= 0x80
    bundle["signatures"][1]["signature"] = base64.b64encode(bytes(sig)).decode()
    signed.write_bytes(bundle_file.dumps(bundle))
    assert verify(signed).failed == "counter.signature"


def test_flipped_byte_in_public_key_fails_key_check(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    key = bundle["signatures"][0]["public_key"]
    bundle["signatures"][0]["public_key"] = ("0" if key[0] != "0" else "1") + key[1:]
    signed.write_bytes(bundle_file.dumps(bundle))
    assert verify(signed).failed == "assistant.key"


def test_public_key_pem_of_another_key_fails_key_check(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    other = bytes.fromhex(bundle["signatures"][0]["public_key"])[::-1]
    bundle["signatures"][0]["public_key_pem"] = bundle_file.public_key_pem(other)
    signed.write_bytes(bundle_file.dumps(bundle))
    verdict = verify(signed)
    assert (verdict.failed, verdict.reason) == ("assistant.key",
                                                "public_key_pem is not the signing key")


def test_approved_without_countersignature_fails_status(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    assert bundle["status"] == "approved"
    del bundle["signatures"][1]
    signed.write_bytes(bundle_file.dumps(bundle))
    verdict = verify(signed)
    assert (verdict.ok, verdict.failed) == (False, "status")
    assert "no countersignature" in verdict.reason
    bundle["status"] = "submitted"  # what the signatures do show: signed, not countersigned
    signed.write_bytes(bundle_file.dumps(bundle))
    verdict = verify(signed)
    assert verdict.ok and verdict.status == "submitted"
    assert "unterschrieben, Freigabe offen" in verdict.text()


def test_membership_binding_to_another_member_fails(signed: Path) -> None:
    bundle = json.loads(signed.read_text("utf-8"))
    assistant = bundle["signatures"][0]["member_id"]
    payroll_like = {"id": "someone-else", "role": "assistant", "name": "X"}
    bundle["membership"]["members"].append(payroll_like)
    for device in bundle["membership"]["devices"]:
        device["member_id"] = "someone-else"
    signed.write_bytes(bundle_file.dumps(bundle))
    verdict = verify(signed)
    assert verdict.failed == "assistant.binding", (assistant, verdict)


def test_every_single_byte_flip_in_the_document_is_caught(signed: Path) -> None:
    raw = signed.read_bytes()
    start = raw.index(b'"document": "') + len(b'"document": "')
    end = raw.index(b'",\n', start)
    for at in range(start, end, max(1, (end - start) // 60)):
        signed.write_bytes(raw)
        _flip(signed, at)
        verdict = verify(signed)
        assert not verdict.ok, at
        assert verdict.failed in ("file", "canonical", "doc_hash"), (at, verdict)
        assert verdict.reason


def test_non_bundle_file_fails_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', "utf-8")
    verdict = verify(path)
    assert (verdict.ok, verdict.failed) == (False, "file")
    assert "format" in verdict.reason
    assert verify(tmp_path / "missing.json").failed == "file"
