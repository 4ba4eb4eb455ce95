"""A jamaah's NIK and passport number as the `jamaah` table keeps them: encrypted, plus a keyed hash.

Everything above the store speaks of `nik` and `passport_number` in clear; this module is the one
place those two names turn into columns and back:

| field | stored as |
|---|---|
| `nik` | `nik_encrypted` (AES-256-GCM, `store/pii_crypto.py`), `nik_hash` (HMAC, unique per workspace) |
| `passport_number` | `passport_encrypted`, `passport_hash` (indexed, exact search) |

No clear digit is kept: the masked displays (`3174 •••• •••• 0001`) decrypt the rows they show
(a page of 50 is ~0.2 ms of AES), so a dump holds nothing to read (docs/decisions.md, "PII at rest").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline_core.store import pii_crypto
from pipeline_core.store import schema as t
from pipeline_core.store.pii_crypto import Keyring

__all__ = [
    "FIELDS",
    "NIK_CONTEXT",
    "PASSPORT_CONTEXT",
    "SEALED_COLUMNS",
    "nik_hashes",
    "open_nik",
    "open_passport",
    "passport_hashes",
    "seal",
    "seal_nik",
    "seal_passport",
    "unseal",
]

NIK_CONTEXT = "jamaah.nik"
PASSPORT_CONTEXT = "jamaah.passport_number"
#: The keyed hashes' field names (each gets its own HMAC key).
NIK_HASH = "jamaah.nik"
PASSPORT_HASH = "jamaah.passport_number"
SEALED_COLUMNS = ("nik_encrypted", "nik_hash", "passport_encrypted", "passport_hash")
#: The names a jamaah's values go by above the store: the table's columns, the sealed ones as fields.
FIELDS = frozenset({c.name for c in t.Jamaah.__table__.c} - set(SEALED_COLUMNS) | {"nik", "passport_number"})


def seal_nik(nik: str, *, keyring: Keyring | None = None) -> tuple[bytes, bytes]:
    """(encrypted, hash) of a NIK, under the current key."""
    return (
        pii_crypto.encrypt(nik.encode(), context=NIK_CONTEXT, keyring=keyring),
        pii_crypto.keyed_hash(nik, field=NIK_HASH, keyring=keyring),
    )


def seal_passport(number: str | None, *, keyring: Keyring | None = None) -> tuple[bytes | None, bytes | None]:
    """(encrypted, hash) of a passport number, or (None, None) without one."""
    if not number:
        return None, None
    return (
        pii_crypto.encrypt(number.encode(), context=PASSPORT_CONTEXT, keyring=keyring),
        pii_crypto.keyed_hash(number, field=PASSPORT_HASH, keyring=keyring),
    )


def seal(values: Mapping[str, Any], *, keyring: Keyring | None = None) -> dict[str, Any]:
    """`values` (field names) with `nik` / `passport_number` replaced by the columns that keep them;
    a field absent from `values` stays absent (an UPDATE of other fields leaves them alone)."""
    sealed = {k: v for k, v in values.items() if k not in ("nik", "passport_number")}
    if "nik" in values:
        sealed["nik_encrypted"], sealed["nik_hash"] = seal_nik(str(values["nik"]), keyring=keyring)
    if "passport_number" in values:
        sealed["passport_encrypted"], sealed["passport_hash"] = seal_passport(
            values["passport_number"], keyring=keyring
        )
    return sealed


def open_nik(blob: bytes | None, *, keyring: Keyring | None = None) -> str | None:
    return pii_crypto.decrypt_text(blob, context=NIK_CONTEXT, keyring=keyring)


def open_passport(blob: bytes | None, *, keyring: Keyring | None = None) -> str | None:
    return pii_crypto.decrypt_text(blob, context=PASSPORT_CONTEXT, keyring=keyring)


def unseal(row: Mapping[Any, Any], *, keyring: Keyring | None = None) -> dict[str, Any]:
    """A `jamaah` row (mapping) with the sealed columns replaced by `nik` / `passport_number` in clear."""
    opened = {k: v for k, v in row.items() if k not in SEALED_COLUMNS}
    if "nik_encrypted" in row:
        opened["nik"] = open_nik(row["nik_encrypted"], keyring=keyring)
    if "passport_encrypted" in row:
        opened["passport_number"] = open_passport(row["passport_encrypted"], keyring=keyring)
    return opened


def nik_hashes(nik: str, *, keyring: Keyring | None = None) -> list[bytes]:
    """What a stored NIK's hash may be (every readable key): for searches and the duplicate check."""
    return pii_crypto.keyed_hashes(nik, field=NIK_HASH, keyring=keyring)


def passport_hashes(number: str, *, keyring: Keyring | None = None) -> list[bytes]:
    return pii_crypto.keyed_hashes(number, field=PASSPORT_HASH, keyring=keyring)
