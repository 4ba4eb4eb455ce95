"""`python -m pipeline_core new-pii-key` and `rotate-pii-key [--batch N]`: the key that encrypts NIK
and passport numbers at rest (store/pii_crypto.py; the steps in docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add(commands: Any) -> None:
    made = commands.add_parser(
        "new-pii-key",
        help="print a new random key for PII_KEY (base64 of 32 bytes)",
        description="Print a new random key for PII_KEY. Nothing is changed; keep it in your secret store.",
    )
    made.set_defaults(handler=run_new_key, needs_servers=False)
    rotate = commands.add_parser(
        "rotate-pii-key",
        help="re-encrypt every NIK and passport number under the current key (resumable)",
        description=(
            "Re-encrypt and re-hash every jamaah's NIK and passport number under the current key, in"
            " batches (one transaction each), printing progress. With PII_KEY set: set the new key as"
            " PII_KEY and the old one in PII_OLD_KEYS in every process first. On the embedded default"
            " (no PII_KEY) the command makes the new key in the key file itself. Run it again after an"
            " interruption: it continues where it stopped."
        ),
    )
    rotate.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
    rotate.set_defaults(handler=run_rotate, needs_servers=True)


def run_new_key(args: argparse.Namespace) -> int:
    from pipeline_core.store import pii_crypto

    print(pii_crypto.new_key_text())
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    from pipeline_core.commands import pii_rotation
    from pipeline_core.domain.errors import InvalidInput
    from pipeline_core.store import pii_crypto
    from pipeline_core.store.config import get_settings

    if not 1 <= args.batch <= 100_000:
        raise InvalidInput("batch", "Give a batch size from 1 to 100000 rows.")
    key_file = pii_crypto.key_file_path(get_settings())
    if key_file is not None and pii_crypto.rotate_key_file(key_file):
        print(f"New key made in {key_file}; the old one stays readable until the rotation ends.")
    elif key_file is None and not get_settings().pii_old_keys:
        print("PII_OLD_KEYS is empty: only rows under an unknown key could be left (none, normally).")
    pii_crypto.get_keyring.cache_clear()
    keyring = pii_crypto.get_keyring()

    def progress(done: int, total: int) -> None:
        print(f"re-encrypted {done:,} of {total:,} jamaah", file=sys.stderr, flush=True)

    report = pii_rotation.rotate_pii_key(keyring=keyring, batch=args.batch, progress=progress)
    if report.remaining:
        print(f"{report.remaining:,} rows are still under another key: run the command again.")
        return 1
    if key_file is not None:
        pii_crypto.finish_key_file(key_file)
        print(
            f"Done: {report.rotated:,} jamaah and {report.scans:,} scans re-encrypted; {key_file} now"
            " holds only the new key."
        )
    else:
        print(
            f"Done: {report.rotated:,} jamaah and {report.scans:,} scans re-encrypted under PII_KEY."
            " Remove the old key from PII_OLD_KEYS in every process (keep it with the backups taken"
            " before today)."
        )
    return 0
