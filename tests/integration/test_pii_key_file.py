"""The embedded default keeps its own PII key: made once in the data folder, reused on restart."""

from __future__ import annotations

import stat
from pathlib import Path

from pipeline_core.store import pii_crypto
from pipeline_core.store.config import load_settings


def test_the_generated_key_survives_a_restart(tmp_path: Path) -> None:
    settings = load_settings(database_url=None, pii_key=None, pipeline_data_dir=tmp_path)
    first = pii_crypto.load_keyring(settings)
    blob = pii_crypto.encrypt(b"3174050105700001", context="jamaah.nik", keyring=first)

    again = pii_crypto.load_keyring(
        load_settings(database_url=None, pii_key=None, pipeline_data_dir=tmp_path)
    )

    assert pii_crypto.decrypt(blob, context="jamaah.nik", keyring=again) == b"3174050105700001"
    key_file = tmp_path / pii_crypto.KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_key_in_the_settings_wins_over_the_key_file(tmp_path: Path) -> None:
    pii_crypto.load_keyring(load_settings(database_url=None, pii_key=None, pipeline_data_dir=tmp_path))
    chosen = pii_crypto.new_key_text()
    ring = pii_crypto.load_keyring(
        load_settings(database_url=None, pii_key=chosen, pipeline_data_dir=tmp_path)
    )
    assert ring.current.master == pii_crypto.parse_key(chosen).master
