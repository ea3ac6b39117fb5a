"""This installation's own signing key (derived from ``XINFANG_FEDERATION_KEY``)."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from xinfang.federation.envelope import key_id, private_key_from_secret, public_key_text


@cache
def _key(secret: str) -> Ed25519PrivateKey:
    return private_key_from_secret(secret)


def own_private_key() -> Ed25519PrivateKey:
    return _key(settings.XINFANG_FEDERATION_KEY)


def own_public_key() -> str:
    """What our administrators give to the other installation's administrators."""
    return public_key_text(own_private_key())


def own_key_id() -> str:
    return key_id(own_public_key())
