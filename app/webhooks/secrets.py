"""Endpoint secrets: made as the Standard Webhooks spec says, kept encrypted at rest.

A secret is `whsec_` + base64 of 32 random bytes. The sender needs the secret itself to sign
(an HMAC key cannot be hashed away like a password), so it is stored encrypted: AES-256-GCM
under a key derived from SECRET_KEY with HKDF-SHA256 and a purpose label, so a copy of the
database alone reveals no secret, and the key is good for nothing else. Each ciphertext names
the key it was sealed with (`key_id`, itself derived, revealing nothing about SECRET_KEY).

Rotation: set the new SECRET_KEY and list the old one in SECRET_KEY_FALLBACKS; secrets sealed
under a fallback still open, and `flask webhooks rekey` seals every one under the new key,
after which the fallback can go.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix the spec gives secrets, not a secret)
SECRET_BYTES = 32
NONCE_BYTES = 12
ENDPOINT_SECRETS = b"claimwatch webhook endpoint secrets v1"
# The API's stored answer to a POST that created a secret (its Idempotency-Key replay).
STORED_RESPONSES = b"claimwatch stored responses holding a secret v1"


class SecretUnavailable(Exception):
    """The secret was sealed under a key that is no longer configured, or was tampered with."""


def new_secret() -> str:
    """A fresh endpoint secret: `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode("ascii")


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode("utf-8")
    )


class SecretBox:
    """Seals secrets under SECRET_KEY and opens those sealed under it or a fallback.

    `purpose` picks the derived key (and is bound into every ciphertext): what is sealed for
    one purpose does not open for another.
    """

    def __init__(
        self, secret_key: str, fallbacks: Sequence[str] = (), purpose: bytes = ENDPOINT_SECRETS
    ) -> None:
        self._keys: dict[str, AESGCM] = {}
        self._aad = purpose
        self.key_id = ""
        for number, key in enumerate([secret_key, *fallbacks]):
            key_id = _derive(key, purpose + b": key id")[:8].hex()
            self._keys.setdefault(key_id, AESGCM(_derive(key, purpose)))
            if number == 0:
                self.key_id = key_id

    def seal(self, secret: str) -> tuple[str, str]:
        """(key id, ciphertext) of `secret`, sealed under the current SECRET_KEY."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.key_id].encrypt(nonce, secret.encode("utf-8"), self._aad)
        return self.key_id, base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, key_id: str, ciphertext: str) -> str:
        """The secret; SecretUnavailable when its key is not configured or it was altered."""
        box = self._keys.get(key_id)
        if box is None:
            raise SecretUnavailable(
                f"the secret was sealed under a key ({key_id}) that is neither SECRET_KEY nor "
                "in SECRET_KEY_FALLBACKS"
            )
        try:
            raw = base64.b64decode(ciphertext, validate=True)
            return box.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad).decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error):
            raise SecretUnavailable("the stored secret does not open: it was altered") from None

    def is_current(self, key_id: str) -> bool:
        return key_id == self.key_id
