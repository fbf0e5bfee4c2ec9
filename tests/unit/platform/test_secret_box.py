"""Tenant secrets sealed at rest: round trip, key derivation, and every way a
sealed value must refuse to open."""

from __future__ import annotations

import base64

import pytest

from workorders.platform.secret_box import SecretUnreadable, derive_key, seal, unseal

KEY = derive_key("instance-key-one")


def test_a_sealed_value_opens_with_the_same_instance_key() -> None:
    sealed = seal(KEY, 7, "fortnox_webhook", "hunter2-ÅÄÖ")
    assert unseal(derive_key("instance-key-one"), 7, "fortnox_webhook", sealed) == "hunter2-ÅÄÖ"
    assert "hunter2" not in sealed


def test_sealing_twice_gives_different_ciphertexts() -> None:
    assert seal(KEY, 7, "x", "same") != seal(KEY, 7, "x", "same")


def test_the_key_is_derived_not_the_instance_key_itself() -> None:
    assert len(KEY) == 32
    assert b"instance-key-one".ljust(32, b"\0") != KEY
    assert derive_key("instance-key-one") == KEY
    assert derive_key("instance-key-two") != KEY


def test_another_instance_key_cannot_open_it() -> None:
    sealed = seal(KEY, 7, "x", "value")
    with pytest.raises(SecretUnreadable, match="secret key"):
        unseal(derive_key("instance-key-two"), 7, "x", sealed)


@pytest.mark.parametrize("position", [3, 10, 20, -1])
def test_a_tampered_ciphertext_is_refused(position: int) -> None:
    sealed = seal(KEY, 7, "x", "value")
    raw = bytearray(base64.b64decode(sealed[3:]))
    raw[position] ^= 0x01
    with pytest.raises(SecretUnreadable):
        unseal(KEY, 7, "x", "v1:" + base64.b64encode(bytes(raw)).decode())


def test_a_value_copied_to_another_tenant_or_name_is_refused() -> None:
    sealed = seal(KEY, 7, "x", "value")
    with pytest.raises(SecretUnreadable):
        unseal(KEY, 8, "x", sealed)
    with pytest.raises(SecretUnreadable):
        unseal(KEY, 7, "y", sealed)


@pytest.mark.parametrize("sealed", ["", "v2:AAAA", "v1:not base64!", "v1:" + "A" * 8])
def test_malformed_sealed_values_are_refused(sealed: str) -> None:
    with pytest.raises(SecretUnreadable):
        unseal(KEY, 7, "x", sealed)
