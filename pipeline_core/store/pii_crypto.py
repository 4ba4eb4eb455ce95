"""Personal data at rest: NIK and passport numbers (and anything else sensitive) encrypted with
a key from the settings, and keyed hashes for exact-match search and uniqueness.

Why: Indonesia's personal-data law (UU 27/2022) asks a controller to protect identity numbers;
a leaked database dump or backup must not hand them out. The design:

- `encrypt` / `decrypt`: AES-256-GCM (`cryptography`'s `AESGCM`, authenticated), a fresh random
  96-bit nonce per value, the `context` (e.g. ``"jamaah.nik"``) as associated data so a blob
  copied into another column does not decrypt there. A blob is
  ``version (1 byte, 0x01) | key id (4 bytes) | nonce (12 bytes) | ciphertext + tag (16 bytes)``;
  the key id lets `decrypt` pick the right key during a rotation and lets the rotation find the
  rows still under an old key (`key_id_of`).
- `keyed_hash`: HMAC-SHA256 of the value with a key derived from the master key by HKDF (one key
  per field), so equal values give equal hashes (exact search, the unique NIK per workspace)
  while a dump without the key cannot be checked against guesses (a NIK is region + birth date +
  serial: a plain SHA-256 of one would fall to a few billion guesses). During a rotation every
  readable key's hash is searched (`keyed_hashes`).
- Keys (`load_keyring`): `PII_KEY` (base64 of 32 bytes) is the current key, `PII_OLD_KEYS` the
  ones still readable (comma-separated). With neither set on the embedded default, a key is
  generated once and kept in ``<data folder>/pii.key`` (mode 0600) and reused on every start.
  With an external `DATABASE_URL` and no `PII_KEY` start-up stops (`ConfigError`): a key made up
  by one process would not be shared by the next (docs/decisions.md, "PII at rest").

A wrong key or an altered blob raises `PersonalDataUnreadable`, never a `cryptography` error.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pipeline_core.domain.errors import ConfigError, PersonalDataUnreadable
from pipeline_core.store.config import Settings, decode_key, get_settings

__all__ = [
    "KEY_FILE_NAME",
    "Keyring",
    "PiiKey",
    "decrypt",
    "decrypt_text",
    "encrypt",
    "encrypt_text",
    "finish_key_file",
    "get_keyring",
    "key_file_path",
    "key_id_of",
    "keyed_hash",
    "keyed_hashes",
    "load_keyring",
    "new_key_text",
    "parse_key",
    "rotate_key_file",
]

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 4
HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
KEY_FILE_NAME = "pii.key"


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


@dataclass(frozen=True)
class PiiKey:
    """One master key and what is derived from it: the encryption key, the key id and one HMAC key
    per hashed field."""

    master: bytes = field(repr=False)

    @functools.cached_property
    def key_id(self) -> bytes:
        return _derive(self.master, "umrah-pipeline pii key-id")[:KEY_ID_BYTES]

    @functools.cached_property
    def aead(self) -> AESGCM:
        return AESGCM(_derive(self.master, "umrah-pipeline pii aes-256-gcm"))

    def hash_key(self, field_name: str) -> bytes:
        return _derive(self.master, f"umrah-pipeline pii hmac {field_name}")


@dataclass(frozen=True)
class Keyring:
    """The current key (every new blob and hash) and the old keys still readable."""

    current: PiiKey
    old: tuple[PiiKey, ...] = ()

    @functools.cached_property
    def _by_id(self) -> dict[bytes, PiiKey]:
        keys = {key.key_id: key for key in self.old}
        keys[self.current.key_id] = self.current
        return keys

    @functools.cached_property
    def _hash_keys(self) -> dict[tuple[bytes, str], bytes]:
        return {}

    def key_for(self, key_id: bytes) -> PiiKey | None:
        return self._by_id.get(key_id)

    def hash_key(self, key: PiiKey, field_name: str) -> bytes:
        cached = self._hash_keys.get((key.key_id, field_name))
        if cached is None:
            cached = self._hash_keys[(key.key_id, field_name)] = key.hash_key(field_name)
        return cached

    @property
    def all_keys(self) -> tuple[PiiKey, ...]:
        return (self.current, *(key for key in self.old if key.key_id != self.current.key_id))


# --- keys from the settings ----------------------------------------------------------------------


def parse_key(text: str, *, variable: str = "PII_KEY") -> PiiKey:
    """A key as the settings write it: standard or URL-safe base64 of exactly 32 bytes."""
    raw = decode_key(text)
    if raw is None:
        raise ConfigError(f"{variable} is invalid: expected the base64 of 32 random bytes.")
    return PiiKey(raw)


def new_key_text() -> str:
    """A fresh random key in the form `PII_KEY` takes."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _key_file(folder: Path) -> Keyring:
    """The embedded default's own keys: made once (0600, never overwritten), read on every start.
    The file holds the current key on its first line and, while a rotation is part-way, the old
    keys on the lines after it (`rotate_key_file`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE_NAME
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(new_key_text() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    lines = path.read_text().split()
    for _ in range(50):  # another process is between O_EXCL and write: it finishes in microseconds
        if lines:
            break
        time.sleep(0.01)
        lines = path.read_text().split()
    keys = [parse_key(line, variable=str(path)) for line in lines]
    if not keys:
        raise ConfigError(f"{path} holds no key: restore it from the backup of the key (docs/operations.md).")
    return Keyring(keys[0], tuple(keys[1:]))


def _write_key_file(path: Path, lines: list[str]) -> None:
    """Replace the key file atomically (a crash leaves the old file or the new one, never half)."""
    spare = path.with_name(path.name + ".new")
    descriptor = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("".join(line + "\n" for line in lines))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(spare, path)


def key_file_path(settings: Settings) -> Path | None:
    """The embedded default's key file, or None when the keys come from `PII_KEY` (or must)."""
    if settings.pii_key or not settings.embedded_database:
        return None
    return settings.data_dir / KEY_FILE_NAME


def rotate_key_file(path: Path) -> bool:
    """Begin a rotation of the embedded default's key: a new current key, the old ones kept for
    reading. A rotation already part-way (old keys listed) is resumed, not restarted: returns
    whether a new key was made."""
    lines = path.read_text().split()
    if len(lines) > 1:
        return False
    _write_key_file(path, [new_key_text(), *lines])
    return True


def finish_key_file(path: Path) -> None:
    """Every row is under the current key: forget the old ones."""
    lines = path.read_text().split()
    _write_key_file(path, lines[:1])


def load_keyring(settings: Settings) -> Keyring:
    """The keys the settings name, or the embedded default's key file, or a `ConfigError`."""
    old = tuple(
        parse_key(entry, variable="PII_OLD_KEYS")
        for entry in settings.pii_old_keys.split(",")
        if entry.strip()
    )
    if settings.pii_key:
        return Keyring(parse_key(settings.pii_key), old)
    if settings.embedded_database:
        kept = _key_file(settings.data_dir)
        return Keyring(kept.current, kept.old + old)
    raise ConfigError(
        "PII_KEY is not set: with an external DATABASE_URL every process must share one key for "
        "the personal data at rest. Generate one with `python -m pipeline_core new-pii-key` and set "
        "PII_KEY in every process's environment (docs/operations.md, 'Personal data at rest')."
    )


@functools.cache
def get_keyring() -> Keyring:
    """The process's keyring, loaded once from `get_settings()` (cleared with `get_keyring.cache_clear`)."""
    return load_keyring(get_settings())


# --- encryption ----------------------------------------------------------------------------------


def encrypt(plaintext: bytes, *, context: str, keyring: Keyring | None = None) -> bytes:
    """AES-256-GCM under the current key; `context` is authenticated (associated data)."""
    key = (keyring or get_keyring()).current
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext, context.encode())
    return bytes([VERSION]) + key.key_id + nonce + sealed


def key_id_of(blob: bytes) -> bytes:
    """The id of the key a blob was sealed with (for the rotation)."""
    return bytes(blob[1 : 1 + KEY_ID_BYTES])


def decrypt(blob: bytes, *, context: str, keyring: Keyring | None = None) -> bytes:
    """The plaintext of `encrypt`, or `PersonalDataUnreadable` (unknown key, wrong context, altered)."""
    blob = bytes(blob)
    if len(blob) < HEADER_BYTES + 16 or blob[0] != VERSION:
        raise PersonalDataUnreadable(context)
    key = (keyring or get_keyring()).key_for(key_id_of(blob))
    if key is None:
        raise PersonalDataUnreadable(context, unknown_key=True)
    try:
        return key.aead.decrypt(blob[1 + KEY_ID_BYTES : HEADER_BYTES], blob[HEADER_BYTES:], context.encode())
    except InvalidTag:
        raise PersonalDataUnreadable(context) from None


def encrypt_text(value: str | None, *, context: str, keyring: Keyring | None = None) -> bytes | None:
    """`encrypt` of a text (UTF-8); `None` stays `None`."""
    return None if value is None else encrypt(value.encode(), context=context, keyring=keyring)


def decrypt_text(blob: bytes | None, *, context: str, keyring: Keyring | None = None) -> str | None:
    """`decrypt` back to text; `None` stays `None`."""
    return None if blob is None else decrypt(blob, context=context, keyring=keyring).decode()


# --- keyed hashes --------------------------------------------------------------------------------


def keyed_hash(value: str, *, field: str, keyring: Keyring | None = None) -> bytes:
    """HMAC-SHA256 of `value` under the current key's HKDF-derived key for `field` (32 bytes)."""
    ring = keyring or get_keyring()
    return hmac.new(ring.hash_key(ring.current, field), value.encode(), hashlib.sha256).digest()


def keyed_hashes(value: str, *, field: str, keyring: Keyring | None = None) -> list[bytes]:
    """The hash of `value` under every readable key, current first: what a search or a uniqueness
    check looks for while a rotation is part-way (rows not yet re-hashed carry an old key's)."""
    ring = keyring or get_keyring()
    return [
        hmac.new(ring.hash_key(key, field), value.encode(), hashlib.sha256).digest() for key in ring.all_keys
    ]
