"""All cryptography of the app, in one place (STYLE.md #6).

* Passphrase → key: Scrypt with stored parameters (about 250 ms on a laptop at N=2**16).
  Argon2id would be nicer, but the mobile floor (cryptography 43.0.1) lacks it.
* Symmetric: AES-256-GCM with a random 96-bit nonce, always with associated data that names
  what the ciphertext is, so a blob cannot be moved to another place unnoticed.
* Signatures: Ed25519 (device keys). Key wrapping to another device: X25519 + HKDF-SHA256 +
  AES-256-GCM (HPKE is not available on the floor either).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.errors import IntegrityError

KEY_BYTES = 32
NONCE_BYTES = 12
RAW = serialization.Encoding.Raw
RAW_PUB = serialization.PublicFormat.Raw
RAW_PRIV = serialization.PrivateFormat.Raw
NO_ENC = serialization.NoEncryption()


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class ScryptParams:
    salt: bytes
    n: int = 2**16
    r: int = 8
    p: int = 1

    def derive(self, passphrase: str) -> bytes:
        kdf = Scrypt(salt=self.salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p)
        return kdf.derive(passphrase.encode("utf-8"))


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes, what: str) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as err:
        raise IntegrityError("error.store.not_authentic", what=what) from err


def encrypt_with_nonce(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt_with_nonce(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(nonce, ciphertext, aad)


class SigningKey:
    """A device's Ed25519 key."""

    def __init__(self, private: Ed25519PrivateKey | None = None) -> None:
        self._key = private or Ed25519PrivateKey.generate()

    @classmethod
    def from_bytes(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def to_bytes(self) -> bytes:
        return self._key.private_bytes(RAW, RAW_PRIV, NO_ENC)

    @property
    def public(self) -> bytes:
        return self._key.public_key().public_bytes(RAW, RAW_PUB)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def verify_signature(public: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


class ExchangeKey:
    """A device's X25519 key, to receive scope keys wrapped for it."""

    def __init__(self, private: X25519PrivateKey | None = None) -> None:
        self._key = private or X25519PrivateKey.generate()

    @classmethod
    def from_bytes(cls, raw: bytes) -> ExchangeKey:
        return cls(X25519PrivateKey.from_private_bytes(raw))

    def to_bytes(self) -> bytes:
        return self._key.private_bytes(RAW, RAW_PRIV, NO_ENC)

    @property
    def public(self) -> bytes:
        return self._key.public_key().public_bytes(RAW, RAW_PUB)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Inverse of ``wrap_for``: ephemeral public key ‖ sealed key."""
        ephemeral = X25519PublicKey.from_public_bytes(wrapped[:32])
        kek = _hkdf(self._key.exchange(ephemeral), wrapped[:32] + self.public, context)
        return open_sealed(kek, wrapped[32:], context, "a wrapped key")


def wrap_for(recipient_public: bytes, key: bytes, context: bytes) -> bytes:
    """Wrap ``key`` so only the holder of the X25519 private key can read it."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = ephemeral.public_key().public_bytes(RAW, RAW_PUB)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    kek = _hkdf(shared, eph_pub + recipient_public, context)
    return eph_pub + seal(kek, key, context)


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def fingerprint(public: bytes) -> str:
    """A short, readable fingerprint: 'AB12 CD34 EF56 7890'."""
    digest = sha256(public).hex().upper()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def safety_number(a: bytes, b: bytes) -> str:
    """Six digits both screens show when pairing; the same whichever side computes it."""
    digest = sha256(b"assistenzzeit-pairing" + min(a, b) + max(a, b))
    number = int.from_bytes(digest[:8], "big") % 1_000_000
    return f"{number:06d}"[:3] + " " + f"{number:06d}"[3:]
