"""Reading a relay request: typed fields, each refused with a 400 that names the field.

Creating a team and joining are anonymous, and every other body comes from a device that may
be hostile, so nothing of a request reaches a check or the database unread: ids are of a
fixed alphabet and at most the column width, integers lie within what the columns hold, hex
decodes to the sizes the crypto needs, lists are bounded. A refusal says where::

    Fields(json_object(body)).obj("genesis").integer("epoch", 0, INT32)
    → Refused(400, "genesis.epoch: must be an integer 0…2147483647")

Unknown fields are ignored (an older app keeps working against a newer relay, STYLE.md #5).
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.store.crypto import NONCE_BYTES
from app.store.envelope import Envelope
from app.sync import protocol
from app.sync.relay_base import Refused

ID_RE = protocol.ID_RE  # team, device and member ids (uuid7 in practice)
SCOPE_TEXT_RE = re.compile(r"[0-9A-Za-z:_-]{1,80}")
HEX_RE = re.compile(r"[0-9a-fA-F]*")  # stricter than bytes.fromhex, which skips spaces
B64_RE = re.compile(r"[A-Za-z0-9_-]*")  # base64url without padding
INT32 = 2**31 - 1  # an Integer column
INT63 = 2**63 - 1  # a BigInteger column
_MISSING: Any = object()


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``)."""
    try:
        raw = json.loads(body or b"{}")
    except (ValueError, RecursionError) as err:  # RecursionError: "[[[[…" ten thousand deep
        raise Refused(400, "the body is not JSON") from err
    if not isinstance(raw, dict):
        raise Refused(400, "the body must be a JSON object")
    return raw


def path_id(value: str, name: str) -> str:
    """An id from the URL path (``team``), checked like one from a body."""
    if not ID_RE.fullmatch(value):
        raise Refused(400, f"{name} (in the path): must be 1–64 of A-Z a-z 0-9 _ -")
    return value


class Fields:
    """The fields of one JSON object; ``where`` is its place in the request for messages."""

    def __init__(self, raw: Any, where: str = "") -> None:
        if not isinstance(raw, dict):
            raise Refused(400, f"{where or 'the body'}: must be a JSON object")
        self.raw, self.where = raw, where

    def label(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str) -> Any:
        """The value (``null`` counts as missing)."""
        value = self.raw.get(key)
        if value is None:
            raise self.refuse(key, "is missing")
        return value

    def given(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def refuse(self, key: str, why: str) -> Refused:
        return Refused(400, f"{self.label(key)}: {why}")

    def text(self, key: str, *, max_len: int = 64, pattern: re.Pattern[str] | None = None,
             default: Any = _MISSING) -> str:
        if default is not _MISSING and not self.given(key):
            return str(default)
        value = self._get(key)
        if not isinstance(value, str) or len(value) > max_len or "\0" in value:
            raise self.refuse(key, f"must be a text of at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.refuse(key, f"must match {pattern.pattern}")
        return value

    def ident(self, key: str, default: Any = _MISSING) -> str:
        return self.text(key, pattern=ID_RE, default=default)

    def integer(self, key: str, lo: int, hi: int, default: Any = _MISSING) -> int:
        if default is not _MISSING and not self.given(key):
            return int(default)
        value = self._get(key)
        if type(value) is not int or not lo <= value <= hi:  # bool is not an integer here
            raise self.refuse(key, f"must be an integer {lo}…{hi}")
        return value

    def hex(self, key: str, sizes: tuple[int, ...] = (), max_bytes: int = 1 << 22) -> bytes:
        """Hex-decoded bytes: exactly one of ``sizes`` when given, else at most ``max_bytes``."""
        value = self._get(key)
        limit = max(sizes) if sizes else max_bytes
        want = "/".join(map(str, sizes)) if sizes else f"at most {max_bytes}"
        if not isinstance(value, str) or len(value) > 2 * limit:
            raise self.refuse(key, f"must be hex of {want} bytes")
        if len(value) % 2 or not HEX_RE.fullmatch(value):
            raise self.refuse(key, "is not hex")
        data = bytes.fromhex(value)
        if sizes and len(data) not in sizes:
            raise self.refuse(key, f"must be hex of {want} bytes")
        return data

    def b64(self, key: str, max_len: int = 128) -> bytes:
        """base64url without padding (``protocol.b64``)."""
        value = self.text(key, max_len=max_len, pattern=B64_RE)
        try:
            return protocol.unb64(value)
        except ValueError as err:  # binascii.Error: a length no encoder writes
            raise self.refuse(key, "is not base64url") from err

    def items(self, key: str, max_n: int) -> list[Any]:
        value = self._get(key)
        if not isinstance(value, list) or len(value) > max_n:
            raise self.refuse(key, f"must be a list of at most {max_n}")
        return value

    def obj(self, key: str) -> Fields:
        return Fields(self._get(key), self.label(key))


def envelope(f: Fields) -> Envelope:
    """An envelope as ``Envelope.to_json`` writes it, every field within its wire range."""
    return Envelope(f.ident("team"), f.text("scope", max_len=80, pattern=SCOPE_TEXT_RE),
                    f.integer("epoch", 0, INT32), f.ident("device"), f.integer("seq", 1, INT63),
                    f.hex("prev_hash", (32,)), f.hex("nonce", (0, NONCE_BYTES)), f.hex("body"),
                    f.hex("sig", (64,)))
