"""NIK and passport numbers at rest: what the encryption and the keyed hash promise (no I/O)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from pipeline_core.domain.errors import ConfigError, PersonalDataUnreadable
from pipeline_core.store import pii_crypto
from pipeline_core.store.config import load_settings
from pipeline_core.store.pii_crypto import Keyring, PiiKey, decrypt, encrypt, keyed_hash, keyed_hashes

OLD = Keyring(PiiKey(b"\x01" * 32))
NEW = Keyring(PiiKey(b"\x02" * 32), old=(PiiKey(b"\x01" * 32),))
NIK = "3174050105700001"


def test_a_nik_comes_back_and_is_not_in_the_blob() -> None:
    blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)
    assert NIK.encode() not in blob
    assert decrypt(blob, context="jamaah.nik", keyring=OLD) == NIK.encode()


def test_the_same_nik_twice_gives_two_different_blobs() -> None:
    first = encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)
    assert first != encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # a flipped bit in the tag
        lambda blob: blob[:20] + bytes([blob[20] ^ 1]) + blob[21:],  # in the ciphertext
        lambda blob: blob[:10],  # cut short
        lambda blob: b"\x09" + blob[1:],  # an unknown format version
    ],
)
def test_an_altered_blob_is_a_clear_error(tamper: Callable[[bytes], bytes]) -> None:
    blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)
    with pytest.raises(PersonalDataUnreadable, match=r"jamaah\.nik.*cannot be read"):
        decrypt(tamper(blob), context="jamaah.nik", keyring=OLD)


def test_a_blob_moved_to_another_column_does_not_open() -> None:
    blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)
    with pytest.raises(PersonalDataUnreadable):
        decrypt(blob, context="jamaah.passport_number", keyring=OLD)


def test_a_wrong_key_names_the_settings_and_not_the_value() -> None:
    blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=NEW)
    with pytest.raises(PersonalDataUnreadable, match="PII_KEY") as caught:
        decrypt(blob, context="jamaah.nik", keyring=OLD)
    assert NIK not in str(caught.value)


def test_during_a_rotation_old_blobs_still_open_and_new_ones_use_the_new_key() -> None:
    old_blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=OLD)
    assert decrypt(old_blob, context="jamaah.nik", keyring=NEW) == NIK.encode()
    new_blob = encrypt(NIK.encode(), context="jamaah.nik", keyring=NEW)
    assert pii_crypto.key_id_of(new_blob) == NEW.current.key_id != pii_crypto.key_id_of(old_blob)


def test_keyed_hash_is_stable_per_key_and_field() -> None:
    assert keyed_hash(NIK, field="nik", keyring=OLD) == keyed_hash(NIK, field="nik", keyring=OLD)
    assert keyed_hash(NIK, field="nik", keyring=OLD) != keyed_hash(NIK, field="nik", keyring=NEW)
    assert keyed_hash(NIK, field="nik", keyring=OLD) != keyed_hash(NIK, field="passport", keyring=OLD)
    assert keyed_hashes(NIK, field="nik", keyring=NEW) == [
        keyed_hash(NIK, field="nik", keyring=NEW),
        keyed_hash(NIK, field="nik", keyring=OLD),
    ]


def test_an_external_database_without_a_key_refuses_to_start() -> None:
    settings = load_settings(database_url="postgresql://u@db.example:5432/umrah", pii_key=None)
    with pytest.raises(ConfigError, match="PII_KEY is not set"):
        pii_crypto.load_keyring(settings)


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_one_sentence_that_does_not_echo_it(value: str) -> None:
    with pytest.raises(ConfigError, match="PII_KEY is invalid") as caught:
        load_settings(pii_key=value)
    assert value not in str(caught.value)


def test_a_key_in_either_base64_alphabet_is_accepted() -> None:
    raw = bytes(range(200, 232))
    standard = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert pii_crypto.parse_key(standard).master == pii_crypto.parse_key(urlsafe).master == raw
