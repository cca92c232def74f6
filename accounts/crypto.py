"""Encryption at rest and keyed hashes for personal data (ID numbers, mobiles).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under FIELD_ENCRYPTION_KEY; several
comma-separated keys allow rotation (the first encrypts, all decrypt). A keyed hash
(HMAC-SHA256 under a key derived from the same secret) lets an exact value be looked up
without decrypting every row.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY or damaged value") from None


def keyed_hash(value: str) -> str:
    key = hashlib.sha256(("lookup:" + settings.FIELD_ENCRYPTION_KEYS[-1]).encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int, keep_end: int) -> str:
    """Show the first and last characters only: 330281********1234."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


class _Decrypted(str):
    """A decrypted value that remembers its stored ciphertext. Fernet encrypts with a fresh
    random IV each time, so re-encrypting an unchanged value would write new bytes and the
    audit trail would record a change that did not happen."""

    __slots__ = ("ciphertext",)


class EncryptedTextField(models.TextField):
    """A text column holding ciphertext; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        plain = _Decrypted(decrypt(value))
        plain.ciphertext = value
        return plain

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if isinstance(value, _Decrypted):
            return value.ciphertext
        return encrypt(value)


def key_digest(key: str) -> str:
    """What the API token table stores in place of a key: its SHA-256, as the first 40 hex
    digits (160 bits, as many as a generated key carries; DRF's key column holds 40
    characters). No salt or secret is needed: keys are random, not chosen. The key is shown
    once when it is issued and kept nowhere, so a copy of the database (or a reader of the
    token table) cannot call the API: a stored value presented as a key is hashed again and
    matches nothing."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
