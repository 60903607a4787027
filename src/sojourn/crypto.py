"""Encryption of sensitive columns (identity numbers, health declarations) with key rotation.

AES-256-GCM from ``cryptography``. A ciphertext is
``version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag``; the key id is
the start of the key's SHA-256, so any configured key can decrypt what it encrypted
while only the first key encrypts. ``sojourn keys rotate`` re-encrypts old rows.

Lookups without decryption (a hotline agent finding a senior by identity number)
use an HMAC digest keyed from ``SOJOURN_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
NONCE_BYTES = 12


class UnknownKey(Exception):
    """The data was encrypted with a key that is no longer configured."""


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[bytes, ...]
    digest_key: bytes

    @classmethod
    def from_settings(cls, encryption_keys: tuple[str, ...], secret_key: str) -> KeyRing:
        keys = tuple(base64.urlsafe_b64decode(key.encode()) for key in encryption_keys)
        digest_key = hmac.new(secret_key.encode(), b"sojourn lookup digests v1", hashlib.sha256).digest()
        return cls(keys=keys, digest_key=digest_key)

    @property
    def current_key_id(self) -> bytes:
        return _key_id(self.keys[0])

    def encrypt(self, plaintext: bytes, context: bytes = b"") -> bytes:
        """Encrypt with the first key. ``context`` (e.g. b"traveller:42") binds the value to its row."""
        key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext, context)
        return bytes([VERSION]) + _key_id(key) + nonce + sealed

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        if not blob or blob[0] != VERSION:
            raise ValueError("not a Sojourn ciphertext")
        wanted = blob[1:5]
        for key in self.keys:
            if _key_id(key) == wanted:
                nonce = blob[5 : 5 + NONCE_BYTES]
                return AESGCM(key).decrypt(nonce, blob[5 + NONCE_BYTES :], context)
        raise UnknownKey("the key that encrypted this value is not configured")

    def encrypt_text(self, text: str, context: str) -> bytes:
        return self.encrypt(text.encode(), context.encode())

    def decrypt_text(self, blob: bytes, context: str) -> str:
        return self.decrypt(blob, context.encode()).decode()

    def digest(self, value: str) -> str:
        return hmac.new(self.digest_key, value.encode(), hashlib.sha256).hexdigest()
