"""Masking of NIK and passport numbers, and their redaction from every log record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from pipeline_core.domain.privacy import (
    RedactPersonalData,
    holds_identity_number,
    install_redaction,
    mask_nik,
    mask_passport,
    redact,
)

NIK = "3174050105700001"
PASSPORT = "X1234567"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("3174050105700001", "3174 •••• •••• 0001"),
        ("3174 0501 0570 0001", "3174 •••• •••• 0001"),
        ("12345", "••••2345"),
        ("1234", "••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_nik(raw: str | None, shown: str) -> None:
    assert mask_nik(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("X1234567", "X1•••••67"),
        ("E7654321", "E7•••••21"),
        ("AB1234567", "AB•••••67"),
        ("C12", "•••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_passport(raw: str | None, shown: str) -> None:
    assert mask_passport(raw) == shown


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        (f"jamaah NIK {NIK} saved", "jamaah NIK 3174 •••• •••• 0001 saved"),
        ("nik=3174-0501-0570-0001;", "nik=3174 •••• •••• 0001;"),
        (f"passport {PASSPORT}, other e7654321.", "passport X1•••••67, other e7•••••21."),
        (
            f"{{'nik': '{NIK}', 'passport': '{PASSPORT}'}}",
            "{'nik': '3174 •••• •••• 0001', 'passport': 'X1•••••67'}",
        ),
    ],
)
def test_redact_masks_nik_and_passport_shapes(text: str, safe: str) -> None:
    assert redact(text) == safe


@pytest.mark.parametrize(
    "text",
    [
        "task 12345 moved to visa-approval (version 3)",
        "31740501057000012 is seventeen digits",  # not a NIK: 17 digits
        "phone +6281234567890",
        "schema upgraded from 0001 to 0002",
        "HTTP/1.1 200 OK in 15 ms; sha256 ab12cd34ef",
        "user ABC1234567 is a code, not a passport",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"duplicate NIK {NIK}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("pipeline_core.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_message_arguments_and_traceback() -> None:
    record = _record("enrolled %s with passport %s", NIK, PASSPORT, exc=True)
    assert RedactPersonalData().filter(record) is True
    line = logging.Formatter("%(message)s").format(record)
    assert NIK not in line and PASSPORT not in line
    assert "3174 •••• •••• 0001" in line and "X1•••••67" in line
    assert "ValueError: duplicate NIK 3174 •••• •••• 0001" in line


@pytest.fixture
def clean_logging() -> Iterator[logging.Logger]:
    factory = logging.getLogRecordFactory()
    logger = logging.getLogger("test.privacy")
    yield logger
    logging.setLogRecordFactory(factory)
    root = logging.getLogger()
    for holder in (root, *root.handlers):
        for existing in [f for f in holder.filters if isinstance(f, RedactPersonalData)]:
            holder.removeFilter(existing)


def test_installed_redaction_covers_records_of_any_logger(
    clean_logging: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction()
    install_redaction()  # idempotent: one filter, one wrapped factory
    root = logging.getLogger()
    assert sum(isinstance(f, RedactPersonalData) for f in root.filters) == 1
    with caplog.at_level(logging.INFO):
        clean_logging.info("jamaah %s passport %s", NIK, PASSPORT)
        clean_logging.info({"nik": NIK})
    text = caplog.text
    assert NIK not in text and PASSPORT not in text
    assert text.count("3174 •••• •••• 0001") == 2


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Siti Rahmah", False),
        ("siti 2", False),
        ("3174010101900001", True),
        ("3174 0101 0190", True),
        ("C1234567", True),
        ("0812-3456-7890", True),
        ("31740", False),
    ],
)
def test_which_searches_may_go_into_a_url(text: str, held: bool) -> None:
    assert holds_identity_number(text) is held


def test_a_log_entry_masked_when_written_reads_the_same_when_masked_again() -> None:
    from pipeline_core.domain.privacy import mask_changes

    written = mask_changes({"nik": {"old": None, "new": "3174050105700001"}, "passport_number": "X1234567"})
    assert written == {"nik": {"old": None, "new": "3174 •••• •••• 0001"}, "passport_number": "X1•••••67"}
    assert mask_changes(written) == written
