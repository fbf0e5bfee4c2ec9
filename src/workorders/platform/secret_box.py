"""Sealing tenant secrets at rest with a key derived from the instance secret key.

The database alone never reveals a secret: the key is HKDF-SHA256 of the
instance's ``secret_key`` (which lives outside the database), and AES-256-GCM
authenticates each sealed value together with the tenant and the secret's name,
so a ciphertext copied to another tenant's row, or to another name, is refused
instead of decrypting there. A changed instance key or an edited byte is also
refused, with :class:`SecretUnreadable`, never with a wrong plaintext.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: the sealed format's version, so a later algorithm can live beside this one
FORMAT = "v1"
_HKDF_INFO = b"workorders tenant secrets v1"
_NONCE_BYTES = 12


class SecretUnreadable(Exception):
    """The sealed value was made with another instance key, or was altered."""


def derive_key(instance_secret_key: str) -> bytes:
    """The 256-bit sealing key; a different instance key gives an unrelated key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_HKDF_INFO).derive(instance_secret_key.encode("utf-8"))


def _binding(tenant_id: int, name: str) -> bytes:
    return f"tenant={tenant_id};name={name}".encode()


def seal(key: bytes, tenant_id: int, name: str, value: str) -> str:
    """``v1:`` and base64 of a fresh nonce followed by the AES-GCM ciphertext."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _binding(tenant_id, name))
    return f"{FORMAT}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def unseal(key: bytes, tenant_id: int, name: str, sealed: str) -> str:
    version, _, encoded = sealed.partition(":")
    if version != FORMAT:
        raise SecretUnreadable(f"the sealed value has an unknown format '{version}'")
    try:
        raw = base64.b64decode(encoded, validate=True)
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:],
                                    _binding(tenant_id, name))
    except (InvalidTag, ValueError) as exc:
        raise SecretUnreadable("the sealed value does not open with this instance's "
                               "secret key (the key changed, or the value was altered)") from exc
    return plain.decode("utf-8")
