"""Encryption at rest for personal data, and blind indexes to find rows by it.

* ``EncryptedTextField`` stores a Fernet token (AES-128-CBC + HMAC-SHA256, random IV). Keys come
  from ``settings.XINFANG_FIELD_KEYS`` (env ``XINFANG_FIELD_KEYS``, comma-separated): the first
  key encrypts, every key decrypts (``MultiFernet``), so a key is rotated by putting a new one
  first, running ``xinfang manage rotate_field_keys`` and then removing the old one.
* ``BlindIndexField`` stores HMAC-SHA256(``XINFANG_INDEX_KEY``, normalised value) of another
  field, so equality search (same phone, same identity number) uses an index without
  decrypting. The index key is separate from the field keys: rotating those leaves it valid.

Ciphertext cannot be compared, so the encrypted field refuses lookups other than ``isnull``:
search through the digest (``phone_digest=phone_digest(value)``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

_TOKEN_PREFIX = "gAAAAA"  # base64 of Fernet's version byte 0x80 and the timestamp's high bytes


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("XINFANG_FIELD_KEYS is empty: set at least one Fernet key")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as e:
        raise ImproperlyConfigured(
            "XINFANG_FIELD_KEYS holds a key that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with `xinfang manage new_field_key`)"
        ) from e


def _current() -> MultiFernet:
    return _fernet(tuple(settings.XINFANG_FIELD_KEYS))


def new_field_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    """A Fernet token for ``value`` under the current key; the empty string stays empty."""
    if value == "":
        return ""
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token == "" or not token.startswith(_TOKEN_PREFIX):
        return token  # empty, or a plaintext value written before encryption (migrated in place)
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as e:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with XINFANG_FIELD_KEYS: "
            "a key that was in use has been removed"
        ) from e


def rotate(token: str) -> str:
    """The same plaintext under the current key (for ``rotate_field_keys``)."""
    if token == "":
        return ""
    if not token.startswith(_TOKEN_PREFIX):
        return encrypt(token)
    return _current().rotate(token.encode()).decode()


def is_encrypted(stored: str) -> bool:
    return stored == "" or stored.startswith(_TOKEN_PREFIX)


# --- blind indexes ------------------------------------------------------------------------------


def normalize_phone(value: str) -> str:
    """ASCII digits only (full-width ones folded by NFKC, any other script's dropped), without a
    leading +86/0086 country code."""
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value or ""))
    for cc in ("0086", "86"):
        if digits.startswith(cc) and len(digits) == len(cc) + 11:
            return digits[len(cc) :]
    return digits


def normalize_id_number(value: str) -> str:
    """NFKC (full-width digits and Ｘ fold to ASCII), no spaces, upper case: one number, one
    digest, whichever way it was typed (identity search and the Art. 36(3) same-person check)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or "")).upper()


NORMALIZERS = {"phone": normalize_phone, "id_number": normalize_id_number}


def blind_index(value: str, kind: str) -> str:
    """HMAC-SHA256 of the normalised value, hex; empty when there is nothing to index."""
    norm = NORMALIZERS[kind](value)
    if not norm:
        return ""
    key = settings.XINFANG_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()


def phone_digest(value: str) -> str:
    return blind_index(value, "phone")


def id_digest(value: str) -> str:
    return blind_index(value, "id_number")


# --- model fields -------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A text value stored encrypted; Python code sees the plaintext."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str):  # type: ignore[no-untyped-def]
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted and cannot be searched with '{lookup_name}'; "
                "use its blind index (…_digest)"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC digest of ``source`` (another field of the model), recomputed on every save and on
    ``bulk_create``. ``QuerySet.update``/``bulk_update`` of the source must set it too."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for k, v in (("max_length", 64), ("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(k) == v:
                kwargs.pop(k)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = blind_index(getattr(model_instance, self.source) or "", self.kind)
        setattr(model_instance, self.attname, value)
        return value
