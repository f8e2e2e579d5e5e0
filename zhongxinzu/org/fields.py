"""Phone numbers encrypted at rest (issue 8, point 5 i).

`EncryptedCharField` stores Fernet tokens (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package) and hands Python code the plain value, so forms, exports, the API
and backups (dumpdata/loaddata go through the field) see what they saw before. The key is
PHONE_ENCRYPTION_KEY from the environment (a Fernet key: `python -c "from
cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`); in DEBUG or
DEMO_MODE without one, a key is derived from SECRET_KEY; otherwise reading or writing a
phone without it raises ImproperlyConfigured.

A token differs on every write, so the database cannot compare phone numbers: filtering
on the field matches nothing. Imports match people in Python on the decrypted values."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from zhongxinzu.lib.env import env_str

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def phone_key() -> str:
    key = getattr(settings, "PHONE_ENCRYPTION_KEY", "") or env_str("PHONE_ENCRYPTION_KEY", "")
    if key:
        return key
    if settings.DEBUG or getattr(settings, "DEMO_MODE", False):
        digest = hashlib.sha256(b"phone-encryption:" + settings.SECRET_KEY.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()
    raise ImproperlyConfigured("PHONE_ENCRYPTION_KEY must be set when DEBUG=0 (see .env.example)")


def encrypt(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + _fernet(phone_key()).encrypt(value.encode()).decode()


def decrypt(stored: str | None) -> str | None:
    """The plain value; a value stored before encryption (no prefix) is returned as is."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet(phone_key()).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("手机号无法解密：PHONE_ENCRYPTION_KEY 与加密时不一致") from None


class EncryptedCharField(models.CharField):
    """A CharField whose value is encrypted in the database; max_length bounds the stored
    token, `plain_max_length` (checked by the forms and services) the value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        return encrypt(super().get_prep_value(value))
